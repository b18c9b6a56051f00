/* The /staff page: « Traitée » marks a request as handled (JSON POST, same origin), then the
 * row goes and a status line says so; focus moves to that line. No other script on the page. */
(function () {
  "use strict";
  const status = document.getElementById("staff-status");
  document.querySelectorAll("form.close-form").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const id = form.dataset.id;
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        const response = await fetch("/api/staff/requests/" + encodeURIComponent(id) + "/close", {
          method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
        });
        if (!response.ok) throw new Error("HTTP " + response.status);
        const row = document.getElementById("demande-" + id);
        if (row) row.remove();
        status.textContent = "La demande n° " + id + " est marquée comme traitée.";
      } catch (e) {
        button.disabled = false;
        status.textContent = "La demande n° " + id + " n'a pas pu être marquée comme traitée : réessayez.";
      }
      status.tabIndex = -1;
      status.focus();
    });
  });
})();
