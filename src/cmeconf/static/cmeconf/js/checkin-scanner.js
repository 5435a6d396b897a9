// Check-in: the desk's badge scanner, the self check-in kiosk and the live dashboard.
//
// The camera is read with the browser's BarcodeDetector where it exists and with
// jsQR (vendored) elsewhere: Chromium on Linux, for one, has no BarcodeDetector.
// Each scan carries an idempotency key made here, so the server answers a resent
// scan with its first answer: that is what makes the offline queue safe to flush.
// Without JavaScript the pages still work: search and check in by form, kiosk by
// e-mail and code, dashboard refreshed by the page.
(function () {
  "use strict";

  // The same QR code stays in front of the camera for a while: send it once.
  var SAME_TOKEN_PAUSE = 3000;
  var SCAN_EVERY = 150;
  var RETRY_EVERY = 10000;
  var ANSWER_FOR = { ok: 2500, repeat: 3000, refused: 4500, queued: 2000 };
  var KIOSK_ANSWER_FOR = 5000;

  // --- small helpers ---------------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // randomUUID needs a secure context; a scanner on the venue's plain-HTTP network still works.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      })
      .join("");
  }

  var memoryStore = {};
  function storeGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return Object.prototype.hasOwnProperty.call(memoryStore, key) ? memoryStore[key] : null;
    }
  }
  function storeSet(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      memoryStore[key] = value;
    }
  }

  function deviceName(prefix) {
    var key = "cmeconf.checkin.device";
    var id = storeGet(key);
    if (!id) {
      id = newKey().replace(/-/g, "").slice(0, 8);
      storeSet(key, id);
    }
    return prefix + "-" + id;
  }

  function postJSON(url, body, key) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      // A lapsed login answers with a redirect to the login page: see it, do not follow it.
      redirect: "manual",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
        "Idempotency-Key": key,
      },
      body: JSON.stringify(body),
    });
  }

  // --- the answer filling the screen ---------------------------------------------

  function Answer(root) {
    this.root = root;
    this.headline = root.querySelector(".checkin-answer__headline");
    this.name = root.querySelector(".checkin-answer__name");
    this.detail = root.querySelector(".checkin-answer__detail");
    this.timer = null;
    this.onHide = null;
    var self = this;
    root.addEventListener("click", function () {
      self.hide();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !self.root.hidden) self.hide();
    });
  }
  Answer.prototype.show = function (data, duration) {
    var root = this.root;
    ["ok", "repeat", "refused", "queued"].forEach(function (tone) {
      root.classList.remove("checkin-answer--" + tone);
    });
    root.classList.add("checkin-answer--" + data.tone);
    this.headline.textContent = data.headline || "";
    this.name.textContent = data.name || "";
    this.detail.textContent = data.detail || "";
    this.detail.classList.toggle("is-warning", Boolean(data.warn));
    root.hidden = false;
    clearTimeout(this.timer);
    var self = this;
    this.timer = setTimeout(function () {
      self.hide();
    }, duration || ANSWER_FOR[data.tone] || 3000);
  };
  Answer.prototype.hide = function () {
    clearTimeout(this.timer);
    if (this.root.hidden) return;
    this.root.hidden = true;
    if (this.onHide) this.onHide();
  };

  // --- the camera ----------------------------------------------------------------

  function startCamera(video, status, texts, onCode) {
    function say(text) {
      if (status) status.textContent = text;
    }
    if (!window.isSecureContext) {
      say(texts.cameraInsecure);
      return Promise.resolve(false);
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(texts.cameraNone);
      return Promise.resolve(false);
    }
    var detectorReady = Promise.resolve(null);
    if ("BarcodeDetector" in window) {
      detectorReady = window.BarcodeDetector.getSupportedFormats()
        .then(function (formats) {
          return formats.indexOf("qr_code") >= 0
            ? new window.BarcodeDetector({ formats: ["qr_code"] })
            : null;
        })
        .catch(function () {
          return null;
        });
    }
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });

    function decodeWithJsQR() {
      if (typeof window.jsQR !== "function" || !video.videoWidth) return null;
      // Smaller frames decode faster; a badge held up close still fills enough pixels.
      var scale = Math.min(1, 640 / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(image.data, image.width, image.height, {
        inversionAttempts: "dontInvert",
      });
      return code && code.data ? code.data : null;
    }

    return navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        return video.play().then(function () {
          return detectorReady;
        });
      })
      .then(function (detector) {
        say(texts.cameraOn);
        function tick() {
          var found;
          if (video.readyState < 2) {
            found = Promise.resolve(null);
          } else if (detector) {
            found = detector
              .detect(video)
              .then(function (codes) {
                return codes.length ? codes[0].rawValue : null;
              })
              .catch(function () {
                return decodeWithJsQR();
              });
          } else {
            found = Promise.resolve(decodeWithJsQR());
          }
          found
            .then(function (value) {
              if (value) onCode(value);
            })
            .catch(function () {})
            .then(function () {
              setTimeout(tick, SCAN_EVERY);
            });
        }
        tick();
        return true;
      })
      .catch(function (error) {
        var denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
        say(denied ? texts.cameraDenied : texts.cameraNone);
        return false;
      });
  }

  function cameraTexts(el) {
    return {
      cameraOn: el.dataset.textCameraOn,
      cameraNone: el.dataset.textCameraNone,
      cameraDenied: el.dataset.textCameraDenied,
      cameraInsecure: el.dataset.textCameraInsecure,
    };
  }

  // True when `token` was not seen in the last few seconds. Every sighting restarts the
  // pause, so a badge left in front of the camera is sent once, however long it stays.
  function pauseSameToken() {
    var seen = {};
    return function (token) {
      var now = Date.now();
      var last = seen[token];
      seen[token] = now;
      return !last || now - last >= SAME_TOKEN_PAUSE;
    };
  }

  // --- the desk's scanner ----------------------------------------------------------

  function setUpScanner(root) {
    var answer = new Answer(document.getElementById("checkin-answer"));
    var queueEl = document.getElementById("checkin-queue");
    var log = document.getElementById("checkin-log");
    var queueKey = root.dataset.queueKey + ".queue";
    var device = deviceName(root.dataset.devicePrefix || "scanner");
    var fresh = pauseSameToken();
    var flushing = null;
    var lastError = "";

    function readQueue() {
      try {
        var items = JSON.parse(storeGet(queueKey) || "[]");
        return Array.isArray(items) ? items : [];
      } catch (e) {
        return [];
      }
    }
    function writeQueue(items) {
      storeSet(queueKey, JSON.stringify(items));
      showQueue(items.length);
    }
    function showQueue(n) {
      if (!n) {
        queueEl.hidden = true;
        queueEl.textContent = "";
        return;
      }
      var text =
        n === 1 ? root.dataset.textQueueOne : root.dataset.textQueueMany.replace("__N__", n);
      queueEl.textContent = lastError ? text + " — " + lastError : text;
      queueEl.hidden = false;
    }

    function addToLog(data) {
      var first = log.querySelector("li.muted");
      if (first) first.remove();
      var li = document.createElement("li");
      li.className = "checkin-log__item checkin-log__item--" + data.tone;
      var time = document.createElement("span");
      time.className = "checkin-log__time";
      time.textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      var text = document.createElement("span");
      text.textContent = [data.headline, data.name, data.detail].filter(Boolean).join(" · ");
      li.appendChild(time);
      li.appendChild(text);
      log.insertBefore(li, log.firstChild);
      while (log.children.length > 10) log.removeChild(log.lastChild);
    }

    function sendOne(item) {
      return postJSON(root.dataset.scanUrl, item.body, item.key).then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 403) {
          return { keep: true, login: true };
        }
        if (response.status >= 500) return { keep: true };
        return response.json().then(
          function (data) {
            if (response.ok) return { data: data };
            return {
              data: {
                tone: "refused",
                headline: root.dataset.textNotRecorded,
                detail: data.error || "",
              },
            };
          },
          function () {
            return { keep: true };
          }
        );
      });
    }

    // Scans taken on this page whose answer is still to show (queued ones are told once).
    var watching = {};

    // Sends the waiting scans in the order they were taken; stops at the first that cannot go.
    function flush() {
      if (flushing) {
        return flushing.then(flush);
      }
      flushing = (function next() {
        var items = readQueue();
        if (!items.length) return Promise.resolve();
        var item = items[0];
        return sendOne(item)
          .catch(function () {
            return { keep: true };
          })
          .then(function (outcome) {
            if (outcome.keep) {
              lastError = outcome.login ? root.dataset.textLogin : "";
              var waiting = readQueue();
              showQueue(waiting.length);
              var mine = waiting.filter(function (i) {
                return watching[i.key];
              });
              if (mine.length) {
                mine.forEach(function (i) {
                  delete watching[i.key];
                });
                var queued = {
                  tone: "queued",
                  headline: root.dataset.textQueued,
                  detail: outcome.login ? root.dataset.textLogin : root.dataset.textQueuedDetail,
                };
                answer.show(queued);
                addToLog(queued);
              }
              return;
            }
            lastError = "";
            writeQueue(
              readQueue().filter(function (i) {
                return i.key !== item.key;
              })
            );
            addToLog(outcome.data);
            if (watching[item.key]) {
              delete watching[item.key];
              answer.show(outcome.data);
            }
            return next();
          });
      })().then(
        function () {
          flushing = null;
        },
        function () {
          flushing = null;
        }
      );
      return flushing;
    }

    function submit(body, key) {
      body.station = root.dataset.station;
      body.direction = root.dataset.direction;
      body.scanned_at = new Date().toISOString();
      body.device = device;
      var item = { key: key || newKey(), body: body };
      var items = readQueue();
      items.push(item);
      writeQueue(items);
      watching[item.key] = true;
      return flush();
    }

    function submitToken(token) {
      token = String(token || "").trim();
      if (!token || !fresh(token)) return Promise.resolve(false);
      return submit({ token: token }).then(function () {
        return true;
      });
    }

    function submitPick(registration, key) {
      return submit({ registration: String(registration) }, key).then(function () {
        return true;
      });
    }

    // Search and pick without reloading the page.
    var searchForm = document.getElementById("checkin-search-form");
    var results = document.getElementById("checkin-results");
    searchForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var params = new URLSearchParams(new FormData(searchForm));
      results.setAttribute("aria-busy", "true");
      fetch(root.dataset.searchUrl + "?" + params.toString(), {
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "text/html" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          results.innerHTML = html;
        })
        .catch(function () {
          // No network or no login: the plain form still works when they are back.
          searchForm.submit();
        })
        .then(function () {
          results.removeAttribute("aria-busy");
        });
    });
    results.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList || !form.classList.contains("js-pick")) return;
      event.preventDefault();
      submitPick(form.elements.registration.value, form.elements.idempotency_key.value);
      var row = form.closest("tr");
      if (row) row.classList.add("is-picked");
    });
    answer.onHide = function () {
      var q = searchForm.elements.q;
      if (q && document.activeElement !== q && results.querySelector(".is-picked")) {
        q.value = "";
        results.textContent = "";
        q.focus();
      }
    };

    window.addEventListener("online", function () {
      flush();
    });
    setInterval(function () {
      if (readQueue().length) flush();
    }, RETRY_EVERY);
    showQueue(readQueue().length);
    flush();

    var video = document.getElementById("checkin-video");
    var status = document.getElementById("checkin-camera-status");
    var startButton = document.getElementById("checkin-camera-start");
    function camera() {
      startButton.hidden = true;
      startCamera(video, status, cameraTexts(root), submitToken).then(function (running) {
        // Browsers may want a click before the camera starts: offer one.
        if (!running && window.isSecureContext && navigator.mediaDevices) {
          startButton.hidden = false;
        }
      });
    }
    startButton.addEventListener("click", camera);
    camera();

    window.cmeconfScanner = {
      submitToken: submitToken,
      submitPick: submitPick,
      flush: flush,
      queueLength: function () {
        return readQueue().length;
      },
    };
  }

  // --- the kiosk ------------------------------------------------------------------

  function setUpKiosk(root) {
    var answer = new Answer(document.getElementById("checkin-answer"));
    var form = document.getElementById("kiosk-code-form");
    var device = deviceName(root.dataset.devicePrefix || "kiosk");
    var fresh = pauseSameToken();
    var busy = false;

    function reset() {
      form.reset();
      busy = false;
    }
    answer.onHide = reset;
    if (!answer.root.hidden) {
      // An answer from the plain form post: go back to the empty kiosk after a while.
      answer.timer = setTimeout(function () {
        answer.hide();
      }, KIOSK_ANSWER_FOR);
    }

    function send(body) {
      busy = true;
      body.scanned_at = new Date().toISOString();
      body.device = device;
      return postJSON(root.dataset.scanUrl, body, newKey())
        .then(function (response) {
          return response.json();
        })
        .then(function (data) {
          if (data.error) {
            data = { tone: "refused", headline: data.error, detail: "" };
          }
          answer.show(data, KIOSK_ANSWER_FOR);
        })
        .catch(function () {
          answer.show({ tone: "refused", headline: root.dataset.textOffline }, KIOSK_ANSWER_FOR);
        });
    }

    function submitToken(token) {
      token = String(token || "").trim();
      if (!token) return Promise.resolve(false);
      // Note the sighting even while busy, so a badge still held up is not sent again after.
      var isNew = fresh(token);
      // One person at a time: a badge shown while an answer is up waits its turn.
      if (busy || !isNew) return Promise.resolve(false);
      return send({ token: token }).then(function () {
        return true;
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      send({ email: form.elements.email.value, code: form.elements.code.value });
    });

    var full = document.getElementById("kiosk-fullscreen");
    if (document.fullscreenEnabled) {
      full.hidden = false;
      full.addEventListener("click", function () {
        document.documentElement.requestFullscreen().catch(function () {});
      });
      document.addEventListener("fullscreenchange", function () {
        full.hidden = Boolean(document.fullscreenElement);
      });
    }

    startCamera(
      document.getElementById("checkin-video"),
      document.getElementById("checkin-camera-status"),
      cameraTexts(root),
      submitToken
    );
    window.cmeconfKiosk = { submitToken: submitToken };
  }

  // --- the dashboard --------------------------------------------------------------

  function setUpDashboard(root) {
    var status = document.getElementById("checkin-live-status");
    var normal = status.textContent;
    var every = parseInt(root.dataset.interval, 10) || 5000;
    function refresh() {
      if (document.hidden) return;
      fetch(root.dataset.liveUrl, {
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "text/html" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          root.innerHTML = html;
          status.textContent = normal;
          status.classList.remove("is-stale");
        })
        .catch(function () {
          status.textContent = status.dataset.textStale;
          status.classList.add("is-stale");
        });
    }
    setInterval(refresh, every);
    document.addEventListener("visibilitychange", refresh);
  }

  var scanner = document.getElementById("checkin-scanner");
  if (scanner) setUpScanner(scanner);
  var kiosk = document.getElementById("kiosk");
  if (kiosk) setUpKiosk(kiosk);
  var live = document.getElementById("checkin-live");
  if (live) setUpDashboard(live);
})();
