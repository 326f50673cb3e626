// Entry point the Functions host loads (package.json "main"): importing each file registers its functions.
import './blobs.js';
import './http.js';
import './jobs.js';
