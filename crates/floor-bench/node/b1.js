// B1: the common peer. The same broadcast server as B0, on Node.js with
// the `ws` package: a connection to /pub/<room> publishes; every text
// message it sends goes to every connection on /sub/<room>. A subscriber
// with more than 256 KiB unsent is dropped, as B0 and floor drop their
// laggards. No compression.
//
//   node b1.js [PORT]     prints `listening on 127.0.0.1:PORT`

'use strict';

const { WebSocketServer } = require('ws');

const LIMIT = 256 * 1024;
const rooms = new Map();

function room(name) {
  let subscribers = rooms.get(name);
  if (!subscribers) {
    subscribers = new Set();
    rooms.set(name, subscribers);
  }
  return subscribers;
}

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.argv[2] || 0),
  backlog: 4096,
  perMessageDeflate: false,
  maxPayload: 64 * 1024,
});

server.on('listening', () => {
  const { address, port } = server.address();
  console.log(`listening on ${address}:${port}`);
});

server.on('connection', (socket, request) => {
  const path = request.url || '';
  if (path.startsWith('/pub/')) {
    const subscribers = room(path.slice(5));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      for (const subscriber of subscribers) {
        if (subscriber.bufferedAmount > LIMIT) {
          subscriber.terminate();
          subscribers.delete(subscriber);
        } else {
          subscriber.send(data, { binary: false });
        }
      }
    });
  } else if (path.startsWith('/sub/')) {
    const subscribers = room(path.slice(5));
    subscribers.add(socket);
    socket.on('close', () => subscribers.delete(socket));
    socket.on('error', () => subscribers.delete(socket));
  } else {
    socket.close(1008, 'unknown path');
  }
});
