// gazette serve: reloads the page when the site is rebuilt. Never part of a build.
(function () {
  "use strict";
  var script = document.currentScript;
  var build = script && script.getAttribute("data-build");
  if (!window.EventSource) return;
  var source = new EventSource("/__gazette/events");
  source.addEventListener("build", function (event) {
    if (event.data !== build) {
      source.close();
      window.location.reload();
    }
  });
})();
