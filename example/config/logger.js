// Strapi's console logger; STRAPI_LOG_LEVEL=warn quiets it (the tests do).
module.exports = ({ env }) => ({ level: env('STRAPI_LOG_LEVEL', 'http') });
