// Bookmark buttons on program pages. Cached pages are the same for everyone, so the
// learner's own bookmarks are fetched here and marked; without JavaScript each button
// is a plain form that toggles and comes back.
(function () {
  "use strict";
  var marker = document.getElementById("agenda-ids");
  if (!marker || !window.fetch) { return; }

  function setState(form, on) {
    var button = form.querySelector(".bookmark__button");
    if (!button) { return; }
    button.setAttribute("data-bookmarked", on ? "true" : "false");
    var label = button.querySelector(".bookmark__label");
    if (label) {
      label.textContent = on ? button.getAttribute("data-label-on") : button.getAttribute("data-label-off");
    }
  }

  function forms() { return document.querySelectorAll("form.bookmark[data-code]"); }
  // Codes toggled on this page: their answer is newer than the list fetched at load.
  var touched = {};

  fetch(marker.getAttribute("data-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.ok ? r.json() : { codes: [] }; })
    .then(function (data) {
      var mine = {};
      (data.codes || []).forEach(function (code) { mine[code] = true; });
      forms().forEach(function (form) {
        var code = form.getAttribute("data-code");
        if (!touched[code]) { setState(form, !!mine[code]); }
      });
    })
    .catch(function () { /* the forms still work without the marks */ });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.bookmark[data-code]")) { return; }
    event.preventDefault();
    touched[form.getAttribute("data-code")] = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "HX-Request": "true" }
    }).then(function (response) {
      if (!response.ok || response.redirected) { form.submit(); return null; }
      return response.text();
    }).then(function (html) {
      if (html === null) { return; }
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var fresh = holder.firstElementChild;
      if (!fresh) { return; }
      // Keep the page's own "next" so a later no-JS submit still returns here.
      var next = form.querySelector("input[name=next]");
      if (next && !fresh.querySelector("input[name=next]")) { fresh.appendChild(next.cloneNode()); }
      form.replaceWith(fresh);
      var button = fresh.querySelector(".bookmark__button");
      if (button) { button.focus(); }
    }).catch(function () { form.submit(); });
  });
}());
