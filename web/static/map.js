// The map page: communes coloured by active cases or missed share, pins by layer.
// No inline script (the page's CSP forbids it); labels come from data- attributes.
(function () {
  "use strict";
  var box = document.getElementById("map");
  var label = function (name) { return box.dataset["label" + name]; };
  var map = L.map(box, { zoomSnap: 0.25 });
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap" }).addTo(map);
  }
  var ACTIVE_STEPS = [0, 1, 5, 20, 50, 100];
  var ACTIVE_COLOURS = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08519c", "#08306b"];
  var MISSED_STEPS = [0, 0.05, 0.1, 0.2, 0.4];
  var MISSED_COLOURS = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];
  var PIN_COLOURS = { sos: "#b30000", danger_signs: "#e6550d", out_of_zone: "#8856a7",
    missed_checkin: "#fdae6b", home: "#2b8cbe", report: "#31a354" };
  var by = "active";
  var shapes = null;

  function colour(value, steps, colours) {
    var i = 0;
    while (i + 1 < steps.length && value >= steps[i + 1]) { i++; }
    return colours[i];
  }
  function style(feature) {
    var p = feature.properties;
    var fill = by === "active" ? colour(p.active, ACTIVE_STEPS, ACTIVE_COLOURS)
      : colour(p.missed, MISSED_STEPS, MISSED_COLOURS);
    return { color: "#333", weight: 1, fillColor: fill, fillOpacity: 0.7, className: "commune" };
  }
  function legend() {
    var list = document.querySelector("#legend ul");
    var steps = by === "active" ? ACTIVE_STEPS : MISSED_STEPS;
    var colours = by === "active" ? ACTIVE_COLOURS : MISSED_COLOURS;
    list.innerHTML = "";
    steps.forEach(function (step, i) {
      var item = document.createElement("li");
      var swatch = document.createElement("i");
      swatch.style.background = colours[i];
      item.appendChild(swatch);
      var text = by === "active" ? (i + 1 < steps.length ? (steps[i + 1] - 1 > step ? step + "–" + (steps[i + 1] - 1) : String(step)) : "≥ " + step)
        : (i + 1 < steps.length ? Math.round(step * 100) + "–" + Math.round(steps[i + 1] * 100) + " %" : "≥ " + Math.round(step * 100) + " %");
      item.appendChild(document.createTextNode(text));
      item.dataset.by = by;
      list.appendChild(item);
    });
  }
  function pins(list, cls, href) {
    var layer = L.layerGroup();
    list.forEach(function (pin) {
      var marker = L.circleMarker([pin.lat, pin.lon], { radius: 8, color: "#222", weight: 1,
        fillColor: PIN_COLOURS[pin.kind] || "#555", fillOpacity: 0.95, className: cls + " kind-" + pin.kind });
      if (href) { marker.on("click", function () { window.location.href = href(pin); }); }
      layer.addLayer(marker);
    });
    return layer;
  }
  function counts(rows) {
    var body = document.querySelector("#counts tbody");
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      [row.name, String(row.active), Math.round(row.missed * 100) + " %"].forEach(function (v) {
        var td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
  fetch(box.dataset.src, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    shapes = L.geoJSON(data.communes, {
      style: style,
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindTooltip(p.name + " · " + label("Active") + ": " + p.active + " · " + label("Missed") + ": " + Math.round(p.missed * 100) + " %");
        layer.on("click", function () { window.location.href = "/ca?xa=" + p.code; });
      }
    }).addTo(map);
    var overlays = {};
    overlays[label("Alerts")] = pins(data.alerts, "alert-pin", function () { return "/canh-bao"; }).addTo(map);
    overlays[label("Reports")] = pins(data.reports, "report-pin", null).addTo(map);
    if (data.homes.length) {
      overlays[label("Homes")] = pins(data.homes, "home-pin", function (pin) { return "/ca/" + pin.ref; }).addTo(map);
    }
    L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    var bounds = shapes.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds); } else {
      map.setView([19.8, 105.77], 9);
      document.getElementById("no-boundaries").hidden = false;
    }
    counts(data.counts);
    legend();
    box.dataset.ready = "1";
  });
  document.querySelectorAll("#colouring input").forEach(function (input) {
    input.addEventListener("change", function () {
      by = input.value;
      if (shapes) { shapes.setStyle(style); }
      legend();
    });
  });
}());
