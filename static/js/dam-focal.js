/* Vitrine DAM: click the preview to set the asset's focal point (what crops keep).
   Plain JavaScript, no build step. Without it the x / y inputs below the preview do the
   same. The marker is placed through the CSSOM (allowed by the Content-Security-Policy,
   unlike inline style attributes). */
(function () {
  "use strict";

  function round(value) {
    return Math.round(Math.min(Math.max(value, 0), 1) * 10000) / 10000;
  }

  function placeMarker(frame, x, y) {
    var marker = frame.querySelector("[data-focal-marker]");
    if (!marker) {
      return;
    }
    marker.style.left = x * 100 + "%";
    marker.style.top = y * 100 + "%";
    marker.hidden = false;
  }

  function say(form, text) {
    var status = form ? form.querySelector("[data-focal-status]") : null;
    if (status) {
      status.textContent = text;
    }
  }

  function save(frame, form, x, y) {
    var token = form.querySelector('input[name="csrf_token"]').value;
    var data = new FormData();
    data.append("csrf_token", token);
    data.append("x", String(x));
    data.append("y", String(y));
    say(form, _("Saving the focal point…"));
    return fetch(frame.getAttribute("data-focal-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            throw new Error(body.error || _("status %(code)s", { code: response.status }));
          }
          return body;
        });
      })
      .then(function (body) {
        frame.setAttribute("data-focal-x", String(body.focal[0]));
        frame.setAttribute("data-focal-y", String(body.focal[1]));
        form.querySelector('input[name="x"]').value = body.focal[0];
        form.querySelector('input[name="y"]').value = body.focal[1];
        /* the asset's row version moved on: keep the other forms of the page current */
        document.querySelectorAll('input[name="row_version"]').forEach(function (input) {
          input.value = body.row_version;
        });
        say(form, _("Focal point saved at %(x)s, %(y)s.", { x: body.focal[0], y: body.focal[1] }));
      })
      .catch(function (error) {
        say(form, _("The focal point was not saved: %(reason)s", { reason: error.message }));
      });
  }

  function watch(frame) {
    var image = frame.querySelector("[data-focal-image]");
    var form = document.querySelector("[data-focal-form]");
    if (frame.hasAttribute("data-focal-x")) {
      placeMarker(
        frame,
        parseFloat(frame.getAttribute("data-focal-x")),
        parseFloat(frame.getAttribute("data-focal-y"))
      );
    }
    if (!image || !form || !frame.hasAttribute("data-focal-url")) {
      return;
    }
    frame.classList.add("is-focal-editable");
    image.addEventListener("click", function (event) {
      var box = image.getBoundingClientRect();
      if (!box.width || !box.height) {
        return;
      }
      var x = round((event.clientX - box.left) / box.width);
      var y = round((event.clientY - box.top) / box.height);
      placeMarker(frame, x, y);
      save(frame, form, x, y);
    });
  }

  function start() {
    document.querySelectorAll("[data-focal]").forEach(watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
