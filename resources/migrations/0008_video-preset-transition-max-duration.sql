ALTER TABLE `video_presets` ADD `transition` text DEFAULT 'cut' NOT NULL;--> statement-breakpoint
ALTER TABLE `video_presets` ADD `max_duration_seconds` integer;