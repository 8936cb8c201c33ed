-- Both tables (and their indexes) were made by code, with CREATE ... IF NOT EXISTS, before this migration
-- existed: data folders written by today's release (f7643ec) may have them, with rows to keep. Hence the
-- IF NOT EXISTS added to the generated statements: there this migration leaves them as they are, elsewhere
-- it creates them as the code did (same columns, types and defaults). test/data-folder-upgrade.test.ts
-- opens such a data folder (test/fixtures/data-release-f7643ec) and checks that every row survives.
CREATE TABLE IF NOT EXISTS `farm_origin_tasks` (
	`task_id` text PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`plan` text NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`result_path` text,
	`result_sha256` text,
	`encoder` text,
	`split_of` text
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `farm_origin_tasks_split` ON `farm_origin_tasks` (`split_of`);--> statement-breakpoint
CREATE TABLE IF NOT EXISTS `farm_tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`origin_node_id` text NOT NULL,
	`origin_url` text NOT NULL,
	`job_id` text NOT NULL,
	`priority` integer NOT NULL,
	`created_at` integer NOT NULL,
	`plan` text NOT NULL,
	`requirements` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`failures_by_worker` text DEFAULT '{}' NOT NULL,
	`lease_id` text,
	`lease_worker_id` text,
	`lease_granted_at` integer,
	`lease_renewed_at` integer,
	`lease_expires_at` integer,
	`last_error` text,
	`completed_lease_id` text,
	`finished_at` integer,
	`updated_at` integer NOT NULL,
	CONSTRAINT "farm_tasks_status_known" CHECK(status IN ('queued', 'leased', 'done', 'failed')),
	CONSTRAINT "farm_tasks_lease_iff_leased" CHECK((status = 'leased') = (lease_id IS NOT NULL AND lease_worker_id IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `farm_tasks_status` ON `farm_tasks` (`status`);