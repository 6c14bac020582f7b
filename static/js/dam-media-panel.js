/* Vitrine DAM: reorder a product's pictures in the media panel by drag and drop (HTML5),
   saving the new order as JSON. Plain JavaScript, no build step. Without it (or from the
   keyboard) the up and down buttons of each picture do the same, one step at a time. */
(function () {
  "use strict";

  function say(panel, text) {
    var status = panel.querySelector("[data-media-status]");
    if (status) {
      status.textContent = text;
    }
  }

  function order(list) {
    return Array.prototype.map.call(list.querySelectorAll("[data-asset-id]"), function (item) {
      return parseInt(item.getAttribute("data-asset-id"), 10);
    });
  }

  function renumber(list) {
    list.querySelectorAll("[data-position]").forEach(function (cell, index) {
      cell.textContent = String(index + 1);
    });
  }

  function save(panel, list, before) {
    say(panel, _("Saving the order…"));
    panel.setAttribute("aria-busy", "true");
    return fetch(panel.getAttribute("data-reorder-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": panel.getAttribute("data-csrf"),
      },
      body: JSON.stringify({
        owner_type: panel.getAttribute("data-owner-type"),
        owner_key: panel.getAttribute("data-owner-key"),
        asset_ids: order(list),
      }),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            throw new Error(body.error || _("status %(code)s", { code: response.status }));
          }
          return body;
        });
      })
      .then(function () {
        panel.removeAttribute("aria-busy");
        renumber(list);
        /* the up/down buttons move an asset within the order saved on the server */
        say(panel, _("Order saved."));
        panel.setAttribute("data-saved-order", order(list).join(","));
      })
      .catch(function (error) {
        panel.removeAttribute("aria-busy");
        before.forEach(function (id) {
          list.appendChild(list.querySelector('[data-asset-id="' + id + '"]'));
        });
        renumber(list);
        say(panel, _("The order was not saved: %(reason)s", { reason: error.message }));
      });
  }

  function watch(panel) {
    var list = panel.querySelector("[data-media-list]");
    if (!list) {
      return;
    }
    var dragged = null;
    var before = null;

    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("[data-asset-id]");
      if (!dragged) {
        return;
      }
      before = order(list);
      dragged.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.getAttribute("data-asset-id"));
    });

    list.addEventListener("dragover", function (event) {
      if (!dragged) {
        return;
      }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      var over = event.target.closest("[data-asset-id]");
      if (!over || over === dragged) {
        return;
      }
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });

    list.addEventListener("drop", function (event) {
      event.preventDefault();
    });

    list.addEventListener("dragend", function () {
      if (!dragged) {
        return;
      }
      dragged.classList.remove("is-dragging");
      dragged = null;
      if (order(list).join(",") !== before.join(",")) {
        save(panel, list, before);
      }
    });
    panel.setAttribute("data-sortable-ready", "true"); /* tests wait for this */
  }

  function start() {
    document.querySelectorAll("[data-media-panel][data-reorder-url]").forEach(watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
