/* Vitrine settings: move a category by dragging it onto another one (or onto "New tree")
   in the category tree view. Plain JavaScript, no build step. It posts the same fields as
   the "Move a category" form below the tree (category, parent, CSRF token), which is the
   way to move without a mouse or without JavaScript. */
(function () {
  "use strict";

  var tree = document.querySelector("[data-category-tree]");
  if (!tree || !("draggable" in document.createElement("div"))) {
    return;
  }
  var status = tree.querySelector("[data-tree-status]");
  var rootZone = tree.querySelector("[data-drop-root]");
  var dragged = null;

  function say(text) {
    status.textContent = text;
  }

  function nodeOf(element) {
    return element && element.closest ? element.closest("[data-category], [data-drop-root]") : null;
  }

  /* May the dragged category go there? Not into itself, its subtree or where it already is. */
  function accepts(target) {
    if (!dragged || !target) {
      return false;
    }
    if (target.hasAttribute("data-drop-root")) {
      return dragged.getAttribute("data-parent") !== "";
    }
    var inside = target.getAttribute("data-path").indexOf(dragged.getAttribute("data-path")) === 0;
    return !inside && target.getAttribute("data-category") !== dragged.getAttribute("data-parent");
  }

  function clearMarks() {
    tree.querySelectorAll(".is-drop-target").forEach(function (element) {
      element.classList.remove("is-drop-target");
    });
  }

  function answer(response) {
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") === -1) {
      throw new Error(_("the server answered %(code)s; reload the page and try again", { code: response.status }));
    }
    return response.json().then(function (body) {
      if (!response.ok) {
        throw new Error(body.error || _("the server answered %(code)s", { code: response.status }));
      }
      return body;
    });
  }

  function move(code, parent) {
    var body = new FormData();
    body.append("csrf_token", tree.getAttribute("data-csrf"));
    body.append("category", code);
    body.append("parent", parent);
    say(_("Moving %(code)s…", { code: code }));
    tree.setAttribute("aria-busy", "true");
    return fetch(tree.getAttribute("data-move-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": tree.getAttribute("data-csrf") },
      body: body,
    })
      .then(answer)
      .then(function (result) {
        say(result.message);
        /* the page shows the new tree, and the message again as a flash */
        window.location.reload();
      })
      .catch(function (error) {
        tree.removeAttribute("aria-busy");
        say(error.message);
      });
  }

  tree.addEventListener("dragstart", function (event) {
    var node = event.target.closest ? event.target.closest("[data-category]") : null;
    if (!node) {
      return;
    }
    dragged = node;
    node.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", node.getAttribute("data-category"));
    event.stopPropagation();
  });

  tree.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("is-dragging");
    }
    dragged = null;
    clearMarks();
  });

  tree.addEventListener("dragover", function (event) {
    var target = nodeOf(event.target);
    if (!accepts(target)) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!target.classList.contains("is-drop-target")) {
      clearMarks();
      target.classList.add("is-drop-target");
    }
  });

  tree.addEventListener("dragleave", function (event) {
    var target = nodeOf(event.target);
    if (target && !target.contains(event.relatedTarget)) {
      target.classList.remove("is-drop-target");
    }
  });

  tree.addEventListener("drop", function (event) {
    var target = nodeOf(event.target);
    if (!accepts(target)) {
      return;
    }
    event.preventDefault();
    var code = dragged.getAttribute("data-category");
    var parent = target.hasAttribute("data-drop-root") ? "" : target.getAttribute("data-category");
    clearMarks();
    move(code, parent);
  });

  if (rootZone) {
    rootZone.hidden = false;
  }
  var help = tree.querySelector("[data-tree-help]");
  if (help) {
    help.hidden = false;
  }
})();
