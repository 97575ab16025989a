/** A one-line progress indicator on stderr (only on a TTY; silent otherwise, e.g. in CI logs). */
export function progressLine(label: string): { update: (done: number, total: number) => void; done: () => void } {
  const tty = Boolean(process.stderr.isTTY);
  let last = 0;
  return {
    update(done: number, total: number) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      process.stderr.write(`\r${label}: ${done}/${total}`);
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}
