// casetriage web pages: small progressive enhancements; every page works without them.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // After a refused form, move the keyboard focus to the message that explains why.
  // (Focus never starts on the confirm button: a stray Enter must not decide a case.)
  const problem = document.querySelector(".error[tabindex='-1']");
  if (problem) {
    problem.focus();
  }
});
