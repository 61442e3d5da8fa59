// Preloaded (node --import) into the production server by the process-level tests: counts the HTTP
// requests the server received, and how each ended: answered (the whole response written) or dropped
// (the connection closed first). Live counts go to the parent over IPC; the final ones are written to
// REQUEST_COUNTS_FILE as the process exits, so none is lost to a message in flight.
import fs from 'node:fs';
import http from 'node:http';

const counts = { received: 0, answered: 0, dropped: 0 };
const report = () => {
  if (process.send && process.connected) process.send({ requestCounts: counts });
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
process.channel?.unref();
process.on('exit', () => {
  if (process.env.REQUEST_COUNTS_FILE) fs.writeFileSync(process.env.REQUEST_COUNTS_FILE, JSON.stringify(counts));
});
