// Follows the progress of unfinished badge batches on the staff badges page.
// Without JavaScript the page still shows the progress as of its loading.
(function () {
  "use strict";

  var INTERVAL = 2000;

  function follow(row) {
    var url = row.getAttribute("data-status-url");
    var bar = row.querySelector(".badge-batch__bar");
    var text = row.querySelector(".badge-batch__text");

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (state) {
          bar.max = Math.max(state.total, 1);
          bar.value = state.done;
          text.textContent = state.text;
          if (state.finished) {
            // The finished row (download link or error) comes from the server.
            window.location.reload();
          } else {
            window.setTimeout(poll, INTERVAL);
          }
        })
        .catch(function () {
          window.setTimeout(poll, INTERVAL * 5);
        });
    }

    window.setTimeout(poll, INTERVAL);
  }

  document.querySelectorAll(".badge-batch[data-status-url]").forEach(follow);
})();
