// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("submit", function (ev) {
  // Prevent double posting on slow hospital networks.
  var btn = ev.target.querySelector("button[type=submit]");
  if (btn) { setTimeout(function () { btn.disabled = true; }, 0); }
});
