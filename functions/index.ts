// Entry point the Functions host loads (package.json "main"): importing each file registers its functions.
import './http.js';
import './jobs.js';
