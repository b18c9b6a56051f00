/* The demo page's identity switcher (development mode only): the portal server mints a
 * signed token for the chosen demo person and hands it to the chat widget. */
(function () {
  "use strict";
  const KEY = "ent-identity:v1";
  const select = document.getElementById("identity");
  const stateLine = document.getElementById("identity-state");
  if (!select || !window.EntChat) return; // production page: the ENT would provide the token

  function stored() {
    try { return JSON.parse(sessionStorage.getItem(KEY)) || {}; } catch (e) { return {}; }
  }
  function expiresSoon(token) {
    try {
      const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
      return claims.exp * 1000 < Date.now() + 5 * 60 * 1000;
    } catch (e) { return true; }
  }
  function show(identity) {
    stateLine.textContent = identity.login ? "Connecté : " + identity.label : "Non connecté : l'assistant répond au guide, sans informations sur votre école.";
  }
  function use(identity) {
    sessionStorage.setItem(KEY, JSON.stringify(identity));
    select.value = identity.login || "";
    show(identity);
    window.EntChat.setIdentity(identity.login || "", identity.token || null);
  }
  async function signIn(login) {
    if (!login) return use({});
    stateLine.textContent = "Connexion…";
    try {
      const response = await fetch("/api/dev/token", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ login }),
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      use(await response.json());
    } catch (e) {
      use({});
      stateLine.textContent = "La connexion de démonstration a échoué (serveur ou base indisponible) : vous êtes anonyme.";
    }
  }

  const identity = stored();
  if (identity.login && identity.token && !expiresSoon(identity.token)) use(identity);
  else if (identity.login) { use({ login: identity.login, label: identity.label, token: null }); signIn(identity.login); }
  else use({});
  // An explicit button, not the select's change event: no change of context while browsing the list.
  document.getElementById("identity-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn(select.value);
  });
})();
