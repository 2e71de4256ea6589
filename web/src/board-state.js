// The board's calls: the ward's snapshot, then every event applied in ward order (the station
// client guarantees order and exactly-once). Pure, so Node tests it without a browser.

/** Most urgent first, then oldest first: the server's order for a ward's open calls. */
export function byUrgency(a, b) {
  return b.priority - a.priority || Date.parse(a.createdAt) - Date.parse(b.createdAt);
}

export class BoardState {
  #calls = new Map();
  #silentStations = new Map();
  #mutedStations = new Map();

  load(snapshot) {
    this.#calls = new Map(snapshot.calls.map((call) => [call.id, call]));
    this.#silentStations = new Map((snapshot.silentStations ?? []).map((station) => [station.deviceId, station]));
    this.#mutedStations = new Map((snapshot.mutedStations ?? []).map((station) => [station.deviceId, station]));
  }

  /**
   * Returns the call's previous state (undefined when it is new). Resolved calls leave the board.
   * Station events add or remove a silent station of the ward.
   */
  apply(event) {
    if (event.type === "station_silent") this.#silentStations.set(event.station.deviceId, event.station);
    if (event.type === "station_back" || event.type === "station_retired") this.#silentStations.delete(event.station.deviceId);
    if (event.type === "station_muted") this.#mutedStations.set(event.station.deviceId, event.station);
    if (event.type === "station_sound_back" || event.type === "station_retired") this.#mutedStations.delete(event.station.deviceId);
    if (event.station) return undefined;
    const before = this.#calls.get(event.callId);
    if (event.type === "call_resolved" || event.call?.status === "resolved") this.#calls.delete(event.callId);
    else if (event.call) this.#calls.set(event.callId, event.call);
    return before;
  }

  get calls() {
    return [...this.#calls.values()].sort(byUrgency);
  }

  /** The ward's station screens that have gone silent (a trouble until each is back), by name. */
  get silentStations() {
    return [...this.#silentStations.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The ward's station screens that cannot play sound (until each says it can), by name. */
  get mutedStations() {
    return [...this.#mutedStations.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Calls nobody has acknowledged yet: their tone repeats. */
  get waiting() {
    return this.calls.filter((call) => call.status === "open");
  }
}
