/**
 * Input to the simulator's test-facing surface (control requests, library calls such as `importState` or
 * `addFault`) that it cannot use. The control endpoints answer it with 400 and its message; anything else thrown
 * while handling a request is a simulator bug (500).
 */
export class SimulatorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A state (as `GET /_simulator/state` exports it) that does not have the exported shape; nothing was changed. */
export class InvalidStateError extends SimulatorInputError {}
