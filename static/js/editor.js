/* Vitrine product and model editor: warn before leaving with unsaved changes, save with
   Ctrl+S / Cmd+S, and move the focus to a field reached from a completeness or error link.
   Plain JavaScript, no build step; without it the form saves the same way (Save button). */
(function () {
  "use strict";

  var form = document.querySelector("form[data-editor]");
  if (!form) {
    return;
  }
  var note = form.querySelector("[data-dirty-note]");
  /* A page shown again after a refused save holds input that is not saved yet. */
  var startsDirty = form.hasAttribute("data-dirty");
  var initial = snapshot();
  var submitting = false;

  /* Everything the form would send, as one string (file inputs aside: there are none). */
  function snapshot() {
    var parts = [];
    new FormData(form).forEach(function (value, name) {
      parts.push(encodeURIComponent(name) + "=" + encodeURIComponent(value));
    });
    return parts.join("&");
  }

  function isDirty() {
    return startsDirty || snapshot() !== initial;
  }

  function update() {
    var dirty = isDirty();
    form.classList.toggle("is-dirty", dirty);
    if (note) {
      note.textContent = dirty ? _("Unsaved changes") : "";
    }
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);

  form.addEventListener("submit", function () {
    submitting = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (submitting || !isDirty()) {
      return undefined;
    }
    event.preventDefault();
    event.returnValue = "";
    return "";
  });

  /* Back from the browser's cache (back button): the page is the same, the flag is not. */
  window.addEventListener("pageshow", function () {
    submitting = false;
  });

  document.addEventListener("keydown", function (event) {
    var key = (event.key || "").toLowerCase();
    if (key !== "s" || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    if (submitting) {
      return;
    }
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      submitting = true;
      form.submit();
    }
  });

  /* A link to #field-… (completeness, errors): focus the first input of that field. */
  function focusTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (!target || id.indexOf("field-") !== 0) {
      return;
    }
    var input = target.querySelector("input:not([type=hidden]), select, textarea");
    if (input) {
      input.focus({ preventScroll: true });
    }
  }

  window.addEventListener("hashchange", focusTarget);
  focusTarget();
  update();
})();
