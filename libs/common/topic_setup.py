"""`python -m libs.common.topic_setup`: make every topic and its dead-letter topic, and check their partitions.

The Kubernetes setup Job runs this before the services start. It exits 1, naming them, if a topic
already exists with another partition count than REELFORGE_KAFKA_TOPIC_PARTITIONS: KEDA's
maxReplicaCount and the imaging stage (one subscription over two topics, joined by partition) rely
on every topic having exactly that many, and an existing topic is never altered here.
"""

import asyncio
import sys

from libs.common.bus import dead_letter_topic, one_off_admin
from libs.common.events import Topics
from libs.common.settings import BusSettings


async def set_up_topics(settings: BusSettings) -> dict[str, int]:
    """Create what is missing; answer the topics whose partition count is not the configured one."""
    names = [name for topic in Topics.ALL for name in (topic, dead_letter_topic(topic))]
    async with one_off_admin(settings) as admin:
        await admin.ensure_topics(list(Topics.ALL))
        described = await admin.client.describe_topics(names)
    counts = {topic["topic"]: len(topic["partitions"]) for topic in described}
    wanted = settings.kafka_topic_partitions
    return {name: counts.get(name, 0) for name in names if counts.get(name, 0) != wanted}


def main() -> int:
    settings = BusSettings()
    wrong = asyncio.run(set_up_topics(settings))
    if wrong:
        print(
            f"topics without {settings.kafka_topic_partitions} partitions (REELFORGE_KAFKA_TOPIC_PARTITIONS): {wrong}; "
            "alter them to that count or set the setting to theirs",
            file=sys.stderr,
        )
        return 1
    print(f"{2 * len(Topics.ALL)} topics with {settings.kafka_topic_partitions} partitions each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
