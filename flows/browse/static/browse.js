// The app's only script: a picture that cannot be loaded from its original site (offline, moved) shows a placeholder.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const img of document.querySelectorAll("img[data-placeholder]")) {
    const fallback = () => { img.removeAttribute("data-placeholder"); img.classList.add("offline"); img.src = "/static/placeholder.svg"; };
    if (img.complete && img.naturalWidth === 0) fallback();
    else img.addEventListener("error", fallback, { once: true });
  }
});
