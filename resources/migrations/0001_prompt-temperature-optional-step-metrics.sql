PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_prompts` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`version` integer NOT NULL,
	`system_prompt` text NOT NULL,
	`user_template` text NOT NULL,
	`model` text NOT NULL,
	`max_tokens` integer NOT NULL,
	`temperature` real,
	`kb_tiers` text NOT NULL,
	`is_active` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_prompts`("id", "slug", "version", "system_prompt", "user_template", "model", "max_tokens", "temperature", "kb_tiers", "is_active", "created_at") SELECT "id", "slug", "version", "system_prompt", "user_template", "model", "max_tokens", "temperature", "kb_tiers", "is_active", "created_at" FROM `prompts`;--> statement-breakpoint
DROP TABLE `prompts`;--> statement-breakpoint
ALTER TABLE `__new_prompts` RENAME TO `prompts`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `prompts_slug_version` ON `prompts` (`slug`,`version`);--> statement-breakpoint
ALTER TABLE `job_steps` ADD `metrics` text;