"""The domain of Serverless Sweep: request contract, grid and shards, the market
simulation, dataset schemas and Parquet encoding. Nothing here talks to AWS."""
