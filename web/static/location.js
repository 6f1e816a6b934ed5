// The location page: ask the browser where it is (with its accuracy) and post it once.
// Without JavaScript or without permission, "I cannot send my location" still posts.
(function () {
  "use strict";
  var form = document.getElementById("where");
  var status = document.getElementById("status");
  var send = document.getElementById("send");
  if (!form || !send) { return; }

  function post(fields) {
    var body = new URLSearchParams(new FormData(form));
    Object.keys(fields).forEach(function (name) { body.set(name, fields[name]); });
    return fetch(window.location.pathname, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) {
        status.textContent = answer.message;
        status.dataset.outcome = answer.outcome;
        form.hidden = true;
      });
    });
  }

  send.addEventListener("click", function () {
    if (!navigator.geolocation) { post({ outcome: "denied" }); return; }
    status.textContent = form.dataset.asking;
    send.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var c = position.coords;
        post({
          outcome: "located",
          lat: String(c.latitude),
          lon: String(c.longitude),
          accuracy: c.accuracy == null ? "" : String(c.accuracy),
          taken_ms: String(position.timestamp)
        });
      },
      function () { post({ outcome: "denied" }); },
      { enableHighAccuracy: true, timeout: 30000, maximumAge: 0 }
    );
  });
}());
