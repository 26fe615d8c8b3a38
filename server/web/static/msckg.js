// The search box's suggestions (our /search/complete, nothing else) and the copy buttons next to IRIs.
(function () {
  "use strict";
  document.querySelectorAll("input[data-complete]").forEach(function (input) {
    var list = document.createElement("ul");
    list.className = "suggest";
    list.hidden = true;
    input.parentNode.appendChild(list);
    var timer = null, active = -1, serial = 0;
    function show(items) {
      list.textContent = "";
      active = -1;
      items.forEach(function (item) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = item.href;
        a.textContent = item.label + (item.label_zh ? "  " + item.label_zh : "");
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = item.kind;
        a.appendChild(kind);
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { show([]); return; }
      timer = setTimeout(function () {
        var mine = ++serial;
        fetch(input.dataset.complete + "?q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) { if (mine === serial) { show(items); } })
          .catch(function () { show([]); });
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      var links = list.querySelectorAll("a");
      if (!links.length || list.hidden) { return; }
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (active >= 0) { links[active].classList.remove("active"); }
        active = (active + (e.key === "ArrowDown" ? 1 : links.length - 1)) % links.length;
        links[active].classList.add("active");
      } else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        window.location.href = links[active].href;
      } else if (e.key === "Escape") {
        list.hidden = true;
      }
    });
    document.addEventListener("click", function (e) { if (!input.parentNode.contains(e.target)) { list.hidden = true; } });
  });
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copy).then(function () { button.textContent = "copied"; });
    });
  });
})();
