// stepbook serve: the one event stream that every open tab shares.
"use strict";
var ports = [];
var problems = null;
var source = new EventSource("/__stepbook/events");
["hello", "reload", "css", "problems", "fixed"].forEach(function (type) {
  source.addEventListener(type, function (e) {
    if (type === "problems") problems = e.data;
    if (type === "fixed" || type === "reload") problems = null;
    ports.forEach(function (port) { port.postMessage({ type: type, data: e.data }); });
  });
});
self.onconnect = function (e) {
  var port = e.ports[0];
  ports.push(port);
  port.start();
  if (problems !== null) port.postMessage({ type: "problems", data: problems });
};
