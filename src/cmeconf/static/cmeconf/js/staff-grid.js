// Schedule grid: drag a session onto a slot (room x time) to move it. The server
// decides through the program services and answers with the session's new place and
// the schedule warnings; the page updates without a reload. Without JavaScript,
// every session keeps its "Move" link to a small form.
(function () {
  "use strict";

  var grid = document.getElementById("schedule-grid");
  if (!grid) return;
  var warningsList = document.getElementById("grid-warnings");
  var status = document.getElementById("grid-status");
  var unscheduled = document.getElementById("unscheduled");
  var moveUrl = grid.dataset.moveUrl;
  var day = grid.dataset.day;
  var defaultMinutes = grid.dataset.defaultMinutes;
  // After approval each move is an amendment: the page shows a reason field.
  var reasonInput = document.getElementById("move-reason");

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function templateText(id) {
    var t = document.getElementById(id);
    return t ? t.content.textContent.trim() : "";
  }

  function setClass(el, prefix, value) {
    Array.prototype.slice.call(el.classList).forEach(function (name) {
      if (name.indexOf(prefix) === 0) el.classList.remove(name);
    });
    el.classList.add(prefix + value);
  }

  function showStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle("is-error", Boolean(isError));
  }

  function renderWarnings(warnings) {
    warningsList.textContent = "";
    var flagged = {};
    warnings.forEach(function (w) {
      var li = document.createElement("li");
      li.className = "warning warning--" + w.kind;
      li.textContent = w.message;
      warningsList.appendChild(li);
      w.sessions.forEach(function (code) {
        (flagged[code] = flagged[code] || []).push(w.message);
      });
    });
    if (!warnings.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = templateText("no-warnings-text");
      warningsList.appendChild(none);
    }
    document.querySelectorAll(".grid-session[data-code]").forEach(function (el) {
      var messages = flagged[el.dataset.code] || [];
      el.classList.toggle("has-warning", messages.length > 0);
      var warn = el.querySelector(".js-warn");
      if (warn) {
        warn.hidden = messages.length === 0;
        warn.querySelector(".js-warn-text").textContent = messages.join(" ");
      }
    });
  }

  function place(el, slot) {
    var span = el.dataset.span;
    if (el.parentElement !== grid) {
      var holder = el.parentElement;
      grid.appendChild(el);
      if (holder && holder.tagName === "LI") holder.remove();
      el.classList.remove("grid-session--unscheduled");
      var link = el.querySelector(".js-move-link");
      if (link && link.dataset.placedLabel) link.firstChild.textContent = link.dataset.placedLabel;
      if (unscheduled && !unscheduled.querySelector(".grid-session")) {
        var empty = document.createElement("li");
        empty.className = "muted";
        empty.textContent = templateText("all-placed-text");
        unscheduled.appendChild(empty);
      }
    }
    setClass(el, "g-r-", slot.dataset.row);
    setClass(el, "g-c-", slot.dataset.col);
    setClass(el, "g-s-", span);
    el.dataset.row = slot.dataset.row;
    el.dataset.col = slot.dataset.col;
  }

  // Overlapping sessions of one room side by side, as the server lays them out.
  var MAX_LANES = 4;
  function relayout() {
    var byCol = {};
    grid.querySelectorAll(".grid-session[data-row]").forEach(function (el) {
      var item = { el: el, row: Number(el.dataset.row), span: Number(el.dataset.span) };
      (byCol[el.dataset.col] = byCol[el.dataset.col] || []).push(item);
    });
    Object.keys(byCol).forEach(function (col) {
      var items = byCol[col].sort(function (a, b) { return a.row - b.row || b.span - a.span; });
      var cluster = [], laneEnds = [], clusterEnd = 0;
      function flush() {
        cluster.forEach(function (it) {
          setClass(it.el, "lane-", it.lane + "-of-" + Math.min(laneEnds.length, MAX_LANES));
        });
      }
      items.forEach(function (it) {
        if (it.row >= clusterEnd) { flush(); cluster = []; laneEnds = []; clusterEnd = 0; }
        var end = it.row + it.span;
        var free = laneEnds.findIndex(function (e) { return e <= it.row; });
        if (free === -1) { laneEnds.push(end); free = laneEnds.length - 1; } else { laneEnds[free] = end; }
        it.lane = Math.min(free + 1, MAX_LANES);
        cluster.push(it);
        clusterEnd = Math.max(clusterEnd, end);
      });
      flush();
    });
  }

  function move(el, slot) {
    var body = {
      session: el.dataset.code,
      day: day,
      time: slot.dataset.time,
      room: slot.dataset.room ? Number(slot.dataset.room) : null
    };
    if (el.classList.contains("grid-session--unscheduled")) body.minutes = Number(defaultMinutes);
    if (reasonInput) {
      if (!reasonInput.value.trim()) {
        showStatus(templateText("reason-needed-text"), true);
        reasonInput.focus();
        return;
      }
      body.reason = reasonInput.value.trim();
    }
    el.classList.add("is-saving");
    fetch(moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken()
      },
      body: JSON.stringify(body)
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        el.classList.remove("is-saving");
        var data = result.data;
        if (!result.ok || !data.ok) {
          var messages = [];
          Object.keys(data.errors || {}).forEach(function (field) {
            data.errors[field].forEach(function (e) { messages.push(e.message || e); });
          });
          showStatus(templateText("failed-text") + " " + messages.join(" "), true);
          return;
        }
        place(el, slot);
        relayout();
        el.querySelector(".js-time").textContent = data.session.start + "–" + data.session.end;
        renderWarnings(data.warnings);
        showStatus(data.message, false);
      })
      .catch(function () {
        el.classList.remove("is-saving");
        showStatus(templateText("failed-text"), true);
      });
  }

  var dragged = null;

  document.addEventListener("dragstart", function (event) {
    var el = event.target.closest && event.target.closest(".grid-session[draggable=true]");
    if (!el) return;
    dragged = el;
    el.classList.add("is-dragging");
    grid.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", el.dataset.code);
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    grid.classList.remove("is-dragging");
    grid.querySelectorAll(".is-drop-target").forEach(function (s) { s.classList.remove("is-drop-target"); });
    dragged = null;
  });

  grid.addEventListener("dragover", function (event) {
    var slot = event.target.closest(".grid-slot");
    if (!slot || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  });

  grid.addEventListener("dragenter", function (event) {
    var slot = event.target.closest(".grid-slot");
    if (slot && dragged) slot.classList.add("is-drop-target");
  });

  grid.addEventListener("dragleave", function (event) {
    var slot = event.target.closest(".grid-slot");
    if (slot) slot.classList.remove("is-drop-target");
  });

  grid.addEventListener("drop", function (event) {
    var slot = event.target.closest(".grid-slot");
    if (!slot || !dragged) return;
    event.preventDefault();
    slot.classList.remove("is-drop-target");
    move(dragged, slot);
  });
})();
