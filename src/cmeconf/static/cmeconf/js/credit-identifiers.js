// Show an identifier only while a credit type that asks for it is ticked.
// Without JavaScript every identifier stays visible and the server ignores
// those of credit types not ticked.
(function () {
  "use strict";

  function update(box) {
    const chosen = new Set(
      Array.from(box.querySelectorAll('input[name="credit_types"]:checked')).map((i) => i.value)
    );
    box.querySelectorAll("[data-asked-by]").forEach((el) => {
      const askedBy = el.dataset.askedBy.split(" ");
      const hasError = el.classList.contains("field--error");
      el.hidden = !hasError && !askedBy.some((code) => chosen.has(code));
    });
  }

  document.querySelectorAll("[data-credit-identifiers]").forEach((box) => {
    box.addEventListener("change", () => update(box));
    update(box);
  });
})();
