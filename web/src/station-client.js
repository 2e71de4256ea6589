// Dispatch station client for browsers and Node: keeps each subscribed ward's board exact.
// The protocol is in docs/protocol.md; Dispatch.Client (.NET) implements the same rules.
import * as signalR from "@microsoft/signalr";

/** Resync pages hold at most this many events (DispatchHubMethods.ResyncPageSize on the server). */
export const RESYNC_PAGE_SIZE = 1000;

/** How often a request cut off by a lost link is sent again while the connection comes back. */
const ANSWER_RETRY_MS = 500;

/**
 * A server's refusal as {sentence, code}, or null when the error is not one (a lost link, say).
 * The server refuses an invocation with an error whose text ends "HubException: ", the sentence
 * (written for the person at the screen) and its code in brackets: "Ward 3 is not your ward.
 * [not_your_ward]" (docs/protocol.md; the codes are listed in docs/api.md).
 */
export function refusal(error) {
  const message = String(error?.message ?? "");
  const at = message.lastIndexOf("HubException: ");
  if (at < 0) return null;
  const text = message.slice(at + "HubException: ".length);
  const coded = /^(.*) \[([a-z_]+)\]$/s.exec(text);
  return coded ? { sentence: coded[1], code: coded[2] } : { sentence: text, code: null };
}

/** The sentence of a server's refusal, or null when the error is not one. */
export function refusalSentence(error) {
  return refusal(error)?.sentence ?? null;
}

/**
 * Reconnects forever: full jitter over an exponential backoff (0.5 s, 1 s, 2 s, ...) capped at
 * maxDelayMs. SignalR's default gives up after four tries, at the same instants for every station.
 */
export class ForeverJitteredRetryPolicy {
  constructor(maxDelayMs = 30_000) {
    this.maxDelayMs = maxDelayMs;
  }

  nextRetryDelayInMilliseconds(retryContext) {
    const ceiling = Math.min(this.maxDelayMs, 500 * 2 ** Math.min(retryContext.previousRetryCount, 20));
    return Math.random() * ceiling;
  }
}

/** The last applied sequence of one ward. A ward's sequence is gap-free, so this is all a client needs. */
export class WardSequence {
  constructor(last) {
    this.last = last;
  }

  /** "next" (apply it), "duplicate" (drop it) or "gap" (resync first). */
  observe(seq) {
    if (seq <= this.last) return "duplicate";
    if (seq > this.last + 1) return "gap";
    this.last = seq;
    return "next";
  }

  isBehind(latest) {
    return latest > this.last;
  }
}

/**
 * A nurse station's connection. Events reach onEvent handlers once each and in ward order;
 * duplicates are dropped, gaps (seen in an event or a ward heartbeat) are repaired from the
 * server's outbox, and after a reconnect the client resumes from the last sequence it applied.
 * Work is serialised on one promise chain, so a resync never races a live event.
 */
export class StationClient {
  #serverUrl;
  #token;
  #retryPolicy;
  #connection;
  #moving = Promise.resolve();
  #wards = new Map();
  #work = Promise.resolve();
  #handlers = { event: [], state: [], escalated: [], team: [], alert: [], undisplayed: [], error: [] };
  #signedOut = null;
  #stopped = false;
  #stationKey = null;
  // What the screen last said of its sound (null: never), said again after a reconnect.
  #canPlay = null;

  /**
   * @param {string} serverUrl e.g. "http://127.0.0.1:5080"
   * @param {string} token a staff session token (POST /api/sessions)
   * @param {{maxReconnectDelayMs?: number}} options
   */
  constructor(serverUrl, token, { maxReconnectDelayMs = 30_000 } = {}) {
    this.#serverUrl = serverUrl;
    this.#token = token;
    this.#retryPolicy = new ForeverJitteredRetryPolicy(maxReconnectDelayMs);
    this.#connection = this.#connect();
  }

  /**
   * A hub connection with this client's handlers. A connection replaced after a move still
   * delivers events (deduplicated by sequence) but no longer speaks for the client's state.
   */
  #connect() {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(new URL("/hubs/dispatch", this.#serverUrl).toString(), {
        accessTokenFactory: () => this.#token,
        transport: signalR.HttpTransportType.WebSockets,
        skipNegotiation: true,
      })
      .withAutomaticReconnect(this.#retryPolicy)
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    const current = () => connection === this.#connection;
    connection.on("WardEvent", (e) => this.#enqueue(() => this.#apply(e)));
    connection.on("WardHeartbeat", (h) => this.#enqueue(() => this.#catchUpIfBehind(h)));
    connection.on("CallEscalatedToYou", (e) => this.#emit("escalated", e));
    connection.on("CallForYourTeam", (e) => this.#emit("team", e));
    // Managers and administration: a ward has open calls and no connected station.
    connection.on("WardUnwatched", (alert) => this.#emit("alert", alert));
    // No station of the ward confirmed showing a call in time.
    connection.on("CallNotDisplayed", (alert) => this.#emit("undisplayed", alert));
    // The node is stopping: the automatic reconnect moves the station quietly.
    connection.on("ServerShutdown", (notice) => this.#emit("state", { moving: notice }));
    // The node is draining: move with no gap (connect anew, resync, then close this one).
    connection.on("ReconnectElsewhere", (notice) => {
      if (current()) this.#moving = this.#move(connection, notice);
    });
    // 4401: the session is over; stop for good instead of retrying a dead session.
    connection.on("SessionClosed", (notice) => this.#enqueue(async () => {
      this.#signedOut = notice;
      await this.#connection.stop();
    }));
    connection.onreconnecting(() => current() && this.#emit("state", "reconnecting"));
    connection.onreconnected(() => current() && this.#enqueue(() => this.#resume()));
    connection.onclose(() => current() && this.#emit("state", this.#signedOut ? "signed_out" : "stopped"));
    return connection;
  }

  /**
   * Make before break, at a random moment in the notice's window: the draining node refuses the
   * new connection, so the load balancer picks another; the wards are rejoined and resynced on it
   * before the old connection closes. If it cannot open, the old one stays until the node closes
   * it, and the automatic reconnect takes over.
   */
  async #move(from, notice) {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * notice.reconnectWithinMs));
    if (this.#stopped) return;
    const fresh = this.#connect();
    try {
      await fresh.start();
      await this.#enqueue(async () => {
        await this.#resumeOn(fresh);
        this.#connection = fresh;
      });
      await from.stop();
      this.#emit("state", { moved: notice });
    } catch (error) {
      this.#emit("error", error);
      if (fresh !== this.#connection) await fresh.stop();
    }
  }

  /** Each event of a subscribed ward, once, in ward order. */
  onEvent(handler) { this.#handlers.event.push(handler); }
  /**
   * "connected", "reconnecting" (calls may be delayed), "stopped", "signed_out" (4401: show the
   * sign-in page), { moving } when the node announced its shutdown, or { moved } after moving
   * off a draining node.
   */
  onState(handler) { this.#handlers.state.push(handler); }
  /** For managers and admins: a ward with open calls and no connected station ({wardId, wardName, openCalls, message}). */
  onWardUnwatched(handler) { this.#handlers.alert.push(handler); }
  /** A call no station of its ward confirmed showing in time ({callId, wardId, kind, message}). */
  onCallNotDisplayed(handler) { this.#handlers.undisplayed.push(handler); }
  /** A call of any ward escalated to the signed-in staff member (live only). */
  onEscalatedToMe(handler) { this.#handlers.escalated.push(handler); }

  /** An event of a call, of any ward, whose kind a team of the signed-in staff member takes (live only). */
  onTeamCall(handler) { this.#handlers.team.push(handler); }
  /** A failure the client will retry (a resync that could not run yet). */
  onError(handler) { this.#handlers.error.push(handler); }

  async start() {
    await this.#connection.start();
    this.#emit("state", "connected");
  }

  /**
   * Subscribes to a ward; returns its open calls as of the snapshot's sequence. With `after` (the
   * last sequence a page showed before a reload, say), the events since then are replayed to
   * onEvent from the server's outbox before live ones. A link lost before the server answered
   * is waited out; a refusal is thrown (as for identifyStation).
   */
  subscribe(wardId, { after } = {}) {
    return this.#answered(async () => {
      const snapshot = await this.#connection.invoke("Subscribe", wardId);
      const ward = new WardSequence(after ?? snapshot.seq);
      this.#wards.set(wardId, ward);
      if (ward.isBehind(snapshot.seq)) await this.#resync(wardId, ward);
      return snapshot;
    });
  }

  /**
   * This connection is a nurse station's screen (its station device key): its ward is told if the
   * screen goes silent. Sent again after every reconnect or move. Returns {deviceId, wardId, name}.
   */
  identifyStation(stationKey) {
    return this.#answered(async () => {
      const station = await this.#connection.invoke("IdentifyStation", stationKey);
      this.#stationKey = stationKey;
      return station;
    });
  }

  /**
   * Whether this station's screen can play sound (after identifyStation): one that cannot is
   * listed to its ward and on the ops page. Said again after every reconnect or move.
   */
  reportSound(canPlay) {
    this.#canPlay = canPlay;
    return this.#answered(() => this.#connection.invoke("ReportSound", canPlay));
  }

  acknowledge(callId) { return this.#connection.invoke("Acknowledge", callId); }
  /** Display receipts: these calls are on this station's screen. */
  displayed(callIds) { return this.#connection.invoke("Displayed", callIds); }
  reject(callId) { return this.#connection.invoke("Reject", callId); }

  /** The last sequence applied for a ward (for display and tests). */
  lastSequence(wardId) { return this.#wards.get(wardId)?.last; }

  async stop() {
    this.#stopped = true;
    await this.#moving;
    await this.#connection.stop();
    await this.#work;
  }

  /**
   * Runs work on the chain until the server answers it. The server's answer (a refusal such as
   * "not your ward" included) is final; a link lost before it (a node dying just then) is waited
   * out while the connection reconnects by itself, and the work is sent again.
   */
  async #answered(work) {
    for (;;) {
      try {
        return await this.#enqueue(work);
      } catch (error) {
        const closed = this.#connection.state === signalR.HubConnectionState.Disconnected;
        if (this.#stopped || this.#signedOut || closed || refusalSentence(error) !== null) throw error;
        await new Promise((resolve) => setTimeout(resolve, ANSWER_RETRY_MS));
      }
    }
  }

  #enqueue(work) {
    const result = this.#work.then(work);
    this.#work = result.catch((error) => this.#emit("error", error));
    return result;
  }

  async #apply(wardEvent) {
    const ward = this.#wards.get(wardEvent.wardId);
    if (!ward) return;
    const verdict = ward.observe(wardEvent.seq);
    if (verdict === "next") this.#emit("event", wardEvent);
    // The outbox holds this event too; the resync applies it in its place.
    if (verdict === "gap") await this.#resync(wardEvent.wardId, ward);
  }

  async #catchUpIfBehind(heartbeat) {
    const ward = this.#wards.get(heartbeat.wardId);
    if (ward?.isBehind(heartbeat.seq)) await this.#resync(heartbeat.wardId, ward);
  }

  /** After a reconnect (possibly to another node): identify the station again, rejoin every ward, then replay from where each stopped. */
  async #resume() {
    await this.#resumeOn(this.#connection);
    this.#emit("state", "connected");
  }

  async #resumeOn(connection) {
    // A station key withdrawn meanwhile must not keep the board from resuming: it goes on, unsupervised.
    if (this.#stationKey) {
      await connection.invoke("IdentifyStation", this.#stationKey).catch((error) => this.#emit("error", error));
      if (this.#canPlay !== null) await connection.invoke("ReportSound", this.#canPlay).catch((error) => this.#emit("error", error));
    }
    for (const [wardId, ward] of this.#wards) {
      await connection.invoke("Subscribe", wardId);
      await this.#resync(wardId, ward, connection);
    }
  }

  async #resync(wardId, ward, connection = this.#connection) {
    let page;
    do {
      page = await connection.invoke("Resync", wardId, ward.last);
      for (const wardEvent of page) {
        if (ward.observe(wardEvent.seq) === "next") this.#emit("event", wardEvent);
      }
    } while (page.length === RESYNC_PAGE_SIZE);
  }

  #emit(kind, value) {
    for (const handler of this.#handlers[kind]) handler(value);
  }
}
