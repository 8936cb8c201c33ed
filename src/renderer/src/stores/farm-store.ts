/**
 * The farm as this node sees it: one `farm.status` call, then every 'farm' event replaces it. The
 * operator's controls (pause, resume, drain any node; requeue or cancel a task; clear a block) are
 * calls of this node, which signs the request for the node or coordinator it is meant for.
 */
import { create } from 'zustand';
import type { FarmBlock, FarmStatus } from '../../../shared/contract.ts';
import { callApi } from './call-api.ts';
import { useSessionStore } from './session-store.ts';
import { notify } from './toast-store.ts';

export type NodeAction = 'pause' | 'resume' | 'drain';
export type TaskAction = 'requeue' | 'cancel';

interface FarmState {
  status: FarmStatus | null;
  /** The first status could not be loaded: the screen offers to try again. */
  loadFailed: boolean;
  changingPause: boolean;
  /** Keys ("node:ID", "task:ID", "block:…") of controls with a call in flight. */
  pending: Record<string, true>;
  load(): Promise<void>;
  receive(status: FarmStatus): void;
  setPaused(paused: boolean): Promise<void>;
  control(nodeId: string, action: NodeAction): Promise<void>;
  taskAction(taskId: string, action: TaskAction): Promise<void>;
  clearBlock(block: FarmBlock): Promise<void>;
}

export const blockKey = (b: FarmBlock) => `block:${b.originNodeId}:${b.jobId}:${b.workerId}`;

export const useFarmStore = create<FarmState>()((set, get) => {
  const withPending = async (key: string, run: () => Promise<unknown>) => {
    set((state) => ({ pending: { ...state.pending, [key]: true } }));
    try {
      if ((await run()) !== undefined) await get().load();
    } finally {
      set((state) => {
        const { [key]: _, ...rest } = state.pending;
        return { pending: rest };
      });
    }
  };
  const nodeName = (id: string) => get().status?.nodes.find((n) => n.id === id)?.name ?? id;
  return {
    status: null,
    loadFailed: false,
    changingPause: false,
    pending: {},
    async load() {
      const status = await callApi('farm.status', {}, 'Loading the farm');
      if (status) get().receive(status);
      else if (!get().status) set({ loadFailed: true });
    },
    receive(status) {
      set({ status, loadFailed: false });
      const self = status.nodes.find((node) => node.id === status.self);
      if (self) useSessionStore.getState().setNodeName(self.name);
    },
    async setPaused(paused) {
      set({ changingPause: true });
      try {
        const result = await callApi(
          'farm.setPaused',
          { paused },
          paused ? 'Pausing this node' : 'Resuming this node',
        );
        if (result) await get().load();
      } finally {
        set({ changingPause: false });
      }
    },
    control: (nodeId, action) =>
      withPending(`node:${nodeId}`, async () => {
        const result = await callApi(
          'farm.control',
          { node: nodeId, action },
          `${action} ${nodeName(nodeId)}`,
        );
        if (result)
          notify(
            'info',
            `${nodeName(nodeId)}: ${result.paused ? 'paused' : result.draining ? 'draining' : 'taking work'}`,
          );
        return result;
      }),
    taskAction: (taskId, action) =>
      withPending(`task:${taskId}`, async () => {
        const result = await callApi(
          'farm.task',
          { task: taskId, action },
          `${action} task ${taskId.slice(0, 8)}`,
        );
        if (result) notify('info', `Task ${taskId.slice(0, 8)}: ${result.result}`);
        return result;
      }),
    clearBlock: (block) =>
      withPending(blockKey(block), async () => {
        const result = await callApi(
          'farm.clearBlock',
          { originNodeId: block.originNodeId, jobId: block.jobId, workerId: block.workerId },
          'Clearing the block',
        );
        if (result)
          notify(
            'info',
            `${block.workerName ?? block.workerId} may take job ${block.jobId.slice(0, 8)} again`,
          );
        return result;
      }),
  };
});
