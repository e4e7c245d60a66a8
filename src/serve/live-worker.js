// stepbook serve: the one event stream that every open tab shares.
"use strict";
var ports = [];
var problems = null;
// The newest build this stream has heard of; a tab that connects later compares it with
// the build it was served, and updates if it missed a change.
var build = null;
var source = new EventSource("/__stepbook/events");
["hello", "build", "update", "reload", "css", "problems", "fixed"].forEach(function (type) {
  source.addEventListener(type, function (e) {
    if (type === "hello" || type === "build") build = e.data;
    if (type === "problems") problems = e.data;
    if (type === "fixed" || type === "update" || type === "reload") problems = null;
    if (type === "build") return;
    ports.forEach(function (port) { port.postMessage({ type: type, data: e.data }); });
  });
});
self.onconnect = function (e) {
  var port = e.ports[0];
  ports.push(port);
  port.start();
  if (build !== null) port.postMessage({ type: "hello", data: build });
  if (problems !== null) port.postMessage({ type: "problems", data: problems });
};
