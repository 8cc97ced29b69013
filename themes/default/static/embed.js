// Click-to-load frames (issue 18): the page shows a placeholder naming the host, and no
// request goes there until the reader presses the button; then the frame takes its place.
for (const figure of document.querySelectorAll("[data-embed-src]")) {
  const button = figure.querySelector(".embed-load");
  if (!button) continue;
  button.hidden = false;
  button.addEventListener("click", () => {
    const frame = document.createElement("iframe");
    frame.src = figure.dataset.embedSrc;
    frame.title = figure.dataset.embedTitle || "";
    frame.className = "embed-iframe";
    if (figure.dataset.embedHeight) frame.height = figure.dataset.embedHeight;
    if (figure.dataset.embedAllow) frame.allow = figure.dataset.embedAllow;
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    const holder = button.closest(".embed-frame") || figure;
    holder.replaceChildren(frame);
    holder.classList.add("is-loaded");
    frame.focus();
  });
}
