/** The origin's queue on a LAN: the elected coordinator, reached with signed JSON calls. */
import { createLogger } from '../../log/logger.ts';
import type { FarmClient, Peer } from '../net/index.ts';
import type { OriginQueue } from './origin-queue.ts';

const log = createLogger('FarmOrigin');
/** Tries of a lease completion before an upload is given up. */
const COMPLETE_ATTEMPTS = 3;

export function coordinatorQueue(
  client: Pick<FarmClient, 'json'>,
  coordinator: () => Peer | null,
): OriginQueue {
  return {
    async submit(task) {
      const peer = coordinator();
      if (!peer) return undefined;
      const reply = await client.json<{ status?: unknown }>(peer, 'POST', '/farm/v1/tasks', task);
      return typeof reply?.status === 'string' ? reply.status : undefined;
    },

    async setPriority(jobId, _taskIds, priority) {
      const peer = coordinator();
      // No coordinator now: the next one hears the priority in this node's announcement.
      if (peer) await client.json(peer, 'POST', `/farm/v1/jobs/${jobId}/priority`, { priority });
    },

    async withdraw(taskId) {
      const peer = coordinator();
      if (!peer) return;
      await client.json(peer, 'POST', `/farm/v1/tasks/${taskId}/withdraw`);
      log.info('task withdrawn', { task: taskId });
    },

    /**
     * Asks the coordinator to complete the lease. A lost reply is asked again (the coordinator accepts
     * the same lease again): giving up after it accepted would lose a video nobody encodes again.
     */
    async complete({ leaseId, workerId }) {
      const peer = coordinator();
      if (!peer) throw new Error('no coordinator to confirm the lease');
      for (let attempt = 1; ; attempt++) {
        try {
          const reply = await client.json<{ result?: unknown }>(
            peer,
            'POST',
            `/farm/v1/leases/${leaseId}/complete`,
            { workerId },
          );
          return reply?.result === 'accepted' ? 'accepted' : 'stale';
        } catch (error) {
          if (attempt >= COMPLETE_ATTEMPTS) throw error;
          log.warn('completing the lease failed; asking again', { lease: leaseId, error: String(error) });
          await new Promise((r) => setTimeout(r, 300 * attempt));
        }
      }
    },
  };
}
