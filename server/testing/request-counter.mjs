// Preloaded (node --import) into the production server by the process-level tests: counts the HTTP
// requests the server received, and how each ended: answered (the whole response written) or dropped
// (the connection closed first). Live counts go to the parent over IPC; the final ones are written to
// REQUEST_COUNTS_FILE as the process exits, so none is lost to a message in flight.
// Under `npm start`'s workers (node:cluster) each worker counts its own requests in
// `${REQUEST_COUNTS_FILE}.<pid>`, rewritten live (its IPC channel leads to the primary, not the test).
import cluster from 'node:cluster';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const counts = { received: 0, answered: 0, dropped: 0 };
const file =
  process.env.REQUEST_COUNTS_FILE && cluster.isWorker
    ? `${process.env.REQUEST_COUNTS_FILE}.${process.pid}`
    : process.env.REQUEST_COUNTS_FILE;
/** Replaces the file in one step (write, then rename), so a reader never sees it half-written. */
const writeCounts = () => {
  if (!file) return;
  const partial = path.join(path.dirname(file), `partial-${process.pid}`);
  fs.writeFileSync(partial, JSON.stringify(counts));
  fs.renameSync(partial, file);
};
const report = () => {
  if (cluster.isWorker) writeCounts();
  else if (process.send && process.connected) process.send({ requestCounts: counts });
};

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === 'request') {
    const res = args[1];
    counts.received++;
    report();
    res.once('close', () => {
      if (res.writableFinished) counts.answered++;
      else counts.dropped++;
      report();
    });
  }
  return emit.call(this, event, ...args);
};

// The IPC channel must not keep the server alive, nor change when it exits.
if (!cluster.isWorker) process.channel?.unref();
process.on('exit', writeCounts);
