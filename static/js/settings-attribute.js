/* Vitrine settings: on the new attribute form, show only the validation settings that
   apply to the chosen type (each carries the types it applies to in data-types). Without
   JavaScript every setting shows with a note of its types, and the server ignores those
   that do not apply. */
(function () {
  "use strict";

  var form = document.querySelector("[data-attribute-form]");
  var type = form && form.querySelector("[data-attribute-type]");
  if (!type) {
    return;
  }

  function update() {
    form.querySelectorAll("[data-types]").forEach(function (element) {
      var types = element.getAttribute("data-types").split(" ");
      element.hidden = types.indexOf(type.value) === -1;
    });
  }

  type.addEventListener("change", update);
  update();
})();
