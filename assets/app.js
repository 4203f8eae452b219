// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  // Large uploads: check the size first, then send with a progress bar and follow the redirect
  // to the import job's page (which shows the import's own progress).
  if (form.hasAttribute("data-upload-progress") && window.XMLHttpRequest && window.FormData) {
    var max = Number(form.getAttribute("data-max-bytes") || "0");
    var total = 0;
    form.querySelectorAll("input[type=file]").forEach(function (i) {
      for (var k = 0; k < i.files.length; k++) { total += i.files[k].size; }
    });
    var status = form.querySelector(".upload-status");
    var bar = status && status.querySelector("progress");
    var label = status && status.querySelector("span");
    if (max > 0 && total > max) {
      ev.preventDefault();
      if (status) { status.hidden = false; label.textContent = form.getAttribute("data-too-large"); }
      return;
    }
    ev.preventDefault();
    var btn = form.querySelector("button[type=submit]");
    if (btn) { btn.disabled = true; }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.onprogress = function (e) {
      if (!status || !e.lengthComputable) { return; }
      status.hidden = false;
      var pct = Math.floor(e.loaded * 100 / e.total);
      bar.value = pct;
      label.textContent = form.getAttribute("data-uploading") + " " + pct + "% (" +
        (e.loaded / 1e6).toFixed(1) + " / " + (e.total / 1e6).toFixed(1) + " MB)";
    };
    xhr.onload = function () {
      if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL) {
        window.location.assign(xhr.responseURL);
      } else {
        document.open(); document.write(xhr.responseText); document.close();
      }
    };
    xhr.onerror = function () { if (btn) { btn.disabled = false; } };
    xhr.send(new FormData(form));
    return;
  }
  // Prevent double posting on slow hospital networks.
  var b = form.querySelector("button[type=submit]");
  if (b) { setTimeout(function () { b.disabled = true; }, 0); }
});
// Print buttons (inline handlers are barred by the content security policy).
document.addEventListener("click", function (ev) {
  var b = ev.target.closest && ev.target.closest("[data-print]");
  if (b) { window.print(); }
});
