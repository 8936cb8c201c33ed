CREATE TABLE `farm_job_failures` (
	`origin_node_id` text NOT NULL,
	`job_id` text NOT NULL,
	`worker_id` text NOT NULL,
	`failures` integer NOT NULL,
	`last_error` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`origin_node_id`, `job_id`, `worker_id`)
);
--> statement-breakpoint
ALTER TABLE `farm_origin_tasks` ADD `fallback` text;