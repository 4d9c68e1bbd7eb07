// What a subcommand receives from the CLI shell: where to write and how to set the exit code.
// Commands never call process.exit; main.ts turns the code into the process's exit status.

export interface CommandContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Set the exit code: 0 clean, 1 findings/problems, 2 usage error or nothing readable. */
  setExit(code: number): void;
}
