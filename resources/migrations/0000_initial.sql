CREATE TABLE `artifacts` (
	`id` text PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`step_key` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`path` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`metadata` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `artifacts_job` ON `artifacts` (`job_id`);--> statement-breakpoint
CREATE INDEX `artifacts_sha256` ON `artifacts` (`sha256`);--> statement-breakpoint
CREATE TABLE `job_steps` (
	`id` text PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`step_key` text NOT NULL,
	`kind` text NOT NULL,
	`step_order` integer NOT NULL,
	`status` text NOT NULL,
	`input_hash` text,
	`output_refs` text,
	`reused_from` text,
	`force` integer DEFAULT false NOT NULL,
	`logs` text DEFAULT '' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`error_kind` text,
	`progress` real DEFAULT 0 NOT NULL,
	`started_at` text,
	`completed_at` text,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `job_steps_job_key` ON `job_steps` (`job_id`,`step_key`);--> statement-breakpoint
CREATE INDEX `job_steps_input_hash` ON `job_steps` (`input_hash`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`recipe_id` text NOT NULL,
	`recipe_slug` text NOT NULL,
	`recipe_version` integer NOT NULL,
	`snapshot` text NOT NULL,
	`input` text NOT NULL,
	`input_key` text NOT NULL,
	`manifest` text NOT NULL,
	`status` text NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`output_path` text,
	`error` text,
	`warnings` text NOT NULL,
	`owner` text,
	`cancel_requested` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`recipe_id`) REFERENCES `recipes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `jobs_status` ON `jobs` (`status`);--> statement-breakpoint
CREATE INDEX `jobs_input_key` ON `jobs` (`input_key`);--> statement-breakpoint
CREATE TABLE `knowledge_base` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`tier` text NOT NULL,
	`title` text NOT NULL,
	`content` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `knowledge_base_slug_unique` ON `knowledge_base` (`slug`);--> statement-breakpoint
CREATE TABLE `prompts` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`version` integer NOT NULL,
	`system_prompt` text NOT NULL,
	`user_template` text NOT NULL,
	`model` text NOT NULL,
	`max_tokens` integer NOT NULL,
	`temperature` real NOT NULL,
	`kb_tiers` text NOT NULL,
	`is_active` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `prompts_slug_version` ON `prompts` (`slug`,`version`);--> statement-breakpoint
CREATE TABLE `recipes` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`version` integer NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`pipeline` text NOT NULL,
	`defaults` text NOT NULL,
	`is_active` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recipes_slug_version` ON `recipes` (`slug`,`version`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `video_presets` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`encoders` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`fps` integer NOT NULL,
	`bitrate` text NOT NULL,
	`crf` integer,
	`speed_preset` text,
	`pixel_format` text NOT NULL,
	`audio_codec` text NOT NULL,
	`audio_bitrate` text NOT NULL,
	`audio_sample_rate` integer NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `video_presets_slug_unique` ON `video_presets` (`slug`);--> statement-breakpoint
CREATE TABLE `voice_presets` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`provider` text NOT NULL,
	`voice_names` text NOT NULL,
	`language` text NOT NULL,
	`prosody` text NOT NULL,
	`style` text,
	`style_degree` real,
	`role` text,
	`direction_map` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `voice_presets_slug_unique` ON `voice_presets` (`slug`);