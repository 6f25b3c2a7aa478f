// Presence as the server sends it (the phoenix.js shapes): a full `presence_state` after every (re)join and a
// `presence_diff` on each join or leave. Diffs that arrive before the state of the current join are kept and
// applied after it, so the count is right whatever the order.

export class PresenceView {
  #byKey = new Map(); // key -> Map(phx_ref -> meta)
  #synced = false;
  #pending = [];
  #onChange;

  constructor(channel, onChange) {
    this.#onChange = onChange;
    channel.onJoin(() => { this.#synced = false; });
    channel.on("presence_state", (state) => this.#state(state));
    channel.on("presence_diff", (diff) => this.#synced ? this.#diff(diff) : this.#pending.push(diff));
  }

  /** Distinct viewers (a viewer with two tabs counts once). */
  get count() {
    return this.#byKey.size;
  }

  #state(state) {
    this.#byKey = new Map();
    for (const [key, { metas }] of Object.entries(state)) {
      this.#byKey.set(key, new Map(metas.map((m) => [m.phx_ref, m])));
    }

    this.#synced = true;
    const queued = this.#pending;
    this.#pending = [];
    queued.forEach((d) => this.#diff(d, false));
    this.#onChange(this.count);
  }

  #diff({ joins, leaves }, notify = true) {
    for (const [key, { metas }] of Object.entries(joins)) {
      const refs = this.#byKey.get(key) ?? new Map();
      metas.forEach((m) => refs.set(m.phx_ref, m));
      this.#byKey.set(key, refs);
    }

    for (const [key, { metas }] of Object.entries(leaves)) {
      const refs = this.#byKey.get(key);
      if (!refs) {
        continue;
      }

      metas.forEach((m) => refs.delete(m.phx_ref));
      if (refs.size === 0) {
        this.#byKey.delete(key);
      }
    }

    if (notify) {
      this.#onChange(this.count);
    }
  }
}
