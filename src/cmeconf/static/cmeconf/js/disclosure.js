// Suggestions for the company inputs of the disclosure form. Without this script the
// form still works: the typed name is matched on submit and close names are suggested.
(function () {
  "use strict";
  var form = document.querySelector("form[data-companies-url]");
  if (!form) return;
  var url = form.getAttribute("data-companies-url");
  var timer = null;
  var lastQuery = null;

  function fill(list, results) {
    while (list.firstChild) list.removeChild(list.firstChild);
    results.forEach(function (company) {
      var option = document.createElement("option");
      option.value = company.name;
      if (company.aliases && company.aliases.length) {
        option.textContent = company.aliases.join(", ");
      }
      list.appendChild(option);
    });
  }

  function lookup(input) {
    var query = input.value.trim();
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || query.length < 2 || query === lastQuery) return;
    lastQuery = query;
    fetch(url + "?" + new URLSearchParams({ q: query }), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (input.value.trim() === query) fill(list, data.results || []); })
      .catch(function () { /* suggestions are a convenience; the form works without them */ });
  }

  form.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("company-input")) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { lookup(input); }, 200);
  });
})();
