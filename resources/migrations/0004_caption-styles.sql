CREATE TABLE `caption_styles` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`version` integer NOT NULL,
	`name` text NOT NULL,
	`font` text NOT NULL,
	`size` integer NOT NULL,
	`text_colour` text NOT NULL,
	`outline_colour` text NOT NULL,
	`outline` real NOT NULL,
	`shadow_colour` text NOT NULL,
	`shadow` real NOT NULL,
	`position` text NOT NULL,
	`margin` real NOT NULL,
	`max_lines` integer NOT NULL,
	`text_case` text NOT NULL,
	`word_highlight` text NOT NULL,
	`highlight_colour` text NOT NULL,
	`is_active` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `caption_styles_slug_version` ON `caption_styles` (`slug`,`version`);--> statement-breakpoint
ALTER TABLE `video_presets` ADD `caption_style` text DEFAULT 'clean' NOT NULL;