// SPDX-License-Identifier: MIT
// A small typed publish/subscribe bus: the simulation announces what happens, and the page, the scenario
// runner and the artifact writer listen.

export type Listener<T> = (value: T) => void;

export interface Bus<Events extends object> {
  on<K extends keyof Events>(kind: K, listener: Listener<Events[K]>): () => void;
  emit<K extends keyof Events>(kind: K, value: Events[K]): void;
}

export function createBus<Events extends object>(): Bus<Events> {
  const listeners = new Map<keyof Events, Set<Listener<never>>>();
  return {
    on(kind, listener) {
      let set = listeners.get(kind);
      if (!set) listeners.set(kind, (set = new Set()));
      set.add(listener as Listener<never>);
      return () => set.delete(listener as Listener<never>);
    },
    emit(kind, value) {
      for (const listener of listeners.get(kind) ?? []) (listener as Listener<typeof value>)(value);
    },
  };
}
