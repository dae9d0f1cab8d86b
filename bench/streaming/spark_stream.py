"""The Spark Structured Streaming leg of the streaming benchmark (bench/streaming/stream-bench.ts).

The same windowed aggregation as Strata's stream — 5-second tumbling windows per page, count and
sum, watermark lateness from the arguments — reading the same Kafka topic and appending final
windows to an Iceberg table through Strata's REST catalog. Spark runs in local[2], from the pip
pyspark wheel, with Iceberg's runtime jar and Spark's Kafka connector.

Argument: one JSON object {conf, brokers, topic, table, checkpoint, lateness_s, window_s,
max_offsets, mode: "available-now" | "seconds", seconds}. Prints `STARTED <epoch ms>` when the
query starts and `DONE <epoch ms> <rows>` when it ends.
"""
import json
import sys
import time

from pyspark.sql import SparkSession
from pyspark.sql.functions import col, count, from_json, window
from pyspark.sql.functions import sum as sum_

args = json.loads(sys.argv[1])
builder = SparkSession.builder.master("local[2]").appName("strata-bench-stream")
for key, value in args["conf"].items():
    builder = builder.config(key, value)
spark = builder.getOrCreate()
spark.sparkContext.setLogLevel("WARN")

raw = (
    spark.readStream.format("kafka")
    .option("kafka.bootstrap.servers", ",".join(args["brokers"]))
    .option("subscribe", args["topic"])
    .option("startingOffsets", "earliest")
    .option("maxOffsetsPerTrigger", str(args["max_offsets"]))
    .load()
)
events = raw.select(from_json(col("value").cast("string"), "page STRING, user_id BIGINT, amount BIGINT, ts TIMESTAMP").alias("e")).select("e.*")
windows = (
    events.withWatermark("ts", f"{args['lateness_s']} seconds")
    .groupBy(window("ts", f"{args['window_s']} seconds"), col("page"))
    .agg(count("*").alias("n"), sum_("amount").alias("total"))
    .select(col("window.start").alias("window_start"), col("window.end").alias("window_end"), "page", "n", "total")
)
writer = windows.writeStream.format("iceberg").outputMode("append").option("checkpointLocation", args["checkpoint"])
if args["mode"] == "available-now":
    writer = writer.trigger(availableNow=True)
else:
    writer = writer.trigger(processingTime="1 second")
query = writer.toTable(args["table"])
print(f"STARTED {int(time.time() * 1000)}", flush=True)
if args["mode"] == "available-now":
    query.awaitTermination()
else:
    query.awaitTermination(args["seconds"])
    query.stop()
rows = spark.table(args["table"]).count()
print(f"DONE {int(time.time() * 1000)} {rows}", flush=True)
spark.stop()
