/** Notifications: the one place failed calls (and a few successes) become visible to the user. */
import { create } from 'zustand';

export type ToastKind = 'error' | 'info' | 'success';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

const AUTO_DISMISS_MS: Record<ToastKind, number | null> = {
  error: null, // an error stays until read and dismissed
  info: 6000,
  success: 4000,
};
const MAX_TOASTS = 5;

interface ToastState {
  toasts: Toast[];
  push(kind: ToastKind, message: string): void;
  dismiss(id: number): void;
}

let nextId = 1;

export const useToastStore = create<ToastState>()((set, get) => ({
  toasts: [],
  push(kind, message) {
    // The same failure repeated (e.g. the node is down) is shown once.
    if (get().toasts.some((toast) => toast.kind === kind && toast.message === message)) return;
    const id = nextId++;
    set((state) => ({ toasts: [...state.toasts, { id, kind, message }].slice(-MAX_TOASTS) }));
    const delay = AUTO_DISMISS_MS[kind];
    if (delay !== null) setTimeout(() => get().dismiss(id), delay);
  },
  dismiss(id) {
    set((state) => ({ toasts: state.toasts.filter((toast) => toast.id !== id) }));
  },
}));

export const notify = (kind: ToastKind, message: string): void =>
  useToastStore.getState().push(kind, message);
