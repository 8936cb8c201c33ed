CREATE TABLE `ops_queue_samples` (
	`at` integer PRIMARY KEY NOT NULL,
	`queued` integer NOT NULL,
	`running` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ops_task_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`task_id` text NOT NULL,
	`job_id` text NOT NULL,
	`origin_node_id` text NOT NULL,
	`worker_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer NOT NULL,
	`outcome` text NOT NULL,
	`video_ms` integer NOT NULL,
	`segment` integer,
	CONSTRAINT "ops_task_runs_outcome_known" CHECK(outcome IN ('done', 'failed', 'retried'))
);
--> statement-breakpoint
CREATE INDEX `ops_task_runs_ended` ON `ops_task_runs` (`ended_at`);