// PostgreSQL: DATABASE_URL, or the parts (defaults: the local server with trust auth).
module.exports = ({ env }) => ({
  connection: {
    client: 'postgres',
    connection: env('DATABASE_URL')
      ? { connectionString: env('DATABASE_URL') }
      : {
          host: env('DATABASE_HOST', '127.0.0.1'),
          port: env.int('DATABASE_PORT', 5432),
          database: env('DATABASE_NAME', 'altbridge'),
          user: env('DATABASE_USERNAME', 'postgres'),
          password: env('DATABASE_PASSWORD', ''),
        },
    pool: { min: 0, max: env.int('DATABASE_POOL_MAX', 10) },
  },
});
