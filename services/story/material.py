"""The hand-written material the offline writer tells stories from: one plot per topic.

Passages within a beat must read in any order. Each is one to three sentences of at most about
25 words (a quoted line inside a sentence does not end it), so narration breathes and subtitles
fit. Lengths spread between about 17 and 28 words so that both durations can be steered.
"""

from services.story.plot import Beat, Plot, person

SCARY = Plot(
    titles=("What Waits in {house_title}", "Do Not Let It See You Sleeping", "The Knocking at 3:17"),
    descriptions=(
        "A short scary story about {name}, {house_short}, and the thing that wakes at 3:17.",
        "{name} found a bargain of a house, and the house found {them}.",
    ),
    cast=(
        (
            person("Mara", "she"),
            person("Elias", "he"),
            person("June", "she"),
            person("Theo", "he"),
            person("Nora", "she"),
            person("Caleb", "he"),
        ),
        (
            {
                "house": "the old farmhouse on Miller Road",
                "house_short": "the farmhouse",
                "house_title": "the Farmhouse",
                "house_visual": "an old farmhouse at the edge of a dark forest",
            },
            {
                "house": "a rented cabin by a frozen lake",
                "house_short": "the cabin",
                "house_title": "the Cabin",
                "house_visual": "a lonely wooden cabin beside a frozen lake",
            },
            {
                "house": "a narrow townhouse on a quiet street",
                "house_short": "the townhouse",
                "house_title": "the Townhouse",
                "house_visual": "a narrow townhouse on an empty city street",
            },
        ),
        ({"sound": "three slow knocks"}, {"sound": "someone softly humming"}, {"sound": "a music box playing"}),
    ),
    beats=(
        Beat(
            1,
            1,
            (
                "{name} moved into {house} in late October. The rent was suspiciously cheap, "
                "and the landlord never once looked {them} in the eye.",
                "Nobody had lived in {house} for eleven years. {name} signed the lease anyway, "
                "because the price was too good to refuse.",
                "The first night in {house} was completely silent. "
                "Later, {name} would realise that the silence had been listening.",
            ),
            ("{house_visual} at dusk, dark clouds gathering, a lone figure carrying boxes up the path",),
        ),
        Beat(
            0,
            2,
            (
                "The rooms smelled of dust and cold ashes. Every mirror in {house_short} had been turned "
                "to face the wall, and {name} turned them all back.",
                "The neighbours were friendly until {name} mentioned the address. "
                "Then the conversation ended, and nobody offered to help carry a single box.",
                "On the kitchen door frame, someone had marked the heights of children in pencil. "
                "The last line was dated forty years ago, in the same week of October.",
            ),
            (
                "dusty dark rooms inside {house_short}, mirrors turned to the wall, pale moonlight at night",
                "a kitchen door frame with faded pencil height marks, lit by a single dim bulb at night",
            ),
        ),
        Beat(
            1,
            6,
            (
                "Each night at 3:17, {name} woke to {sound} somewhere above the ceiling. "
                "Each morning, the attic door was still locked from the outside.",
                "The clocks kept stopping at the same minute. {name} replaced the batteries twice, "
                "then decided it was better not to look.",
                "Frost formed on the inside of the bedroom window, in the shape of small handprints. "
                "They were always on the glass facing the bed.",
                "{name}'s dog refused to climb the stairs. It sat in the hallway for hours, "
                "staring up into the dark, its tail perfectly still.",
                "Some mornings the kitchen chairs were pulled out, as if guests had gathered while {name} slept. "
                "There were always exactly four.",
                "Whenever the lights flickered, {name} smelled candle smoke drifting down the hallway. "
                "{They} did not own a single candle.",
                "Once, brushing {their} teeth, {name} heard {sound} from inside the bathroom wall. "
                "It stopped the moment {they} held {their} breath.",
                "A wet footprint appeared on the bathroom tiles each morning, small and bare. "
                "{name} lived alone, and always wore socks.",
            ),
            (
                "a dark bedroom at night, a person awake in bed staring at the ceiling, a clock reading 3:17",
                "a wall of old clocks in a dark hallway at night, all stopped at the same minute",
                "small frost handprints on the inside of a bedroom window at night, moonlight",
                "a dog at the bottom of a dark staircase at night, staring up into the shadows",
                "an empty kitchen at night, four chairs pulled out from the table, moonlight on the floor",
                "a dark hallway at night with a thin trail of candle smoke and flickering lights",
                "a dim bathroom at night, a person frozen at the sink, listening to the wall",
                "small wet bare footprints on bathroom tiles in pale light, eerie and dark",
            ),
        ),
        Beat(
            1,
            6,
            (
                "Behind the peeling wallpaper in the hallway, {name} found handwriting. "
                "One sentence was written hundreds of times: do not let it see you sleeping.",
                "In the attic was a shoebox of old photographs of {house_short}. "
                "In every single one, a pale figure stood at the upstairs window.",
                "Under a loose floorboard lay an old diary. Its owner had described every sound {name} had heard, "
                "in exactly the same order.",
                "The town library had one yellowed article about {house_short}. "
                "Every family who lived there had left suddenly, always in the second month.",
                "A locked closet opened by itself one evening. Inside hung a coat exactly like {name}'s, "
                "still wet from rain that had not fallen yet.",
                "{name} set up a camera in the hallway. The footage showed the bedroom door opening at 3:17, "
                "and {name} walking out with {their} eyes closed.",
                "Scratched into the back of the attic door were tally marks, hundreds of them. "
                "The newest ones were still pale, as if made last night.",
                "A neighbour finally spoke, in a whisper over the fence. "
                "“Whatever you hear at night,” she said, “do not answer it.”",
            ),
            (
                "peeling wallpaper covered in handwritten lines, lit by a flashlight in the dark",
                "old photographs spread on an attic floor at night, a pale figure in an upstairs window",
                "an old diary under a loose floorboard, candlelight, deep shadows at night",
                "a yellowed newspaper article about a house in a dark library at night, lamp light",
                "an open closet at night with a dripping wet coat inside, dark shadows",
                "grainy night camera footage of a dark hallway, a figure sleepwalking from a bedroom",
                "tally marks scratched into the back of an attic door, a flashlight beam at night",
                "an old neighbour whispering over a fence at dusk, a dark house behind",
            ),
        ),
        Beat(
            1,
            4,
            (
                "That night {name} sat on the stairs with a flashlight, determined to stay awake. "
                "At 3:17, the beam began to shake, though {their} hands were steady.",
                "{name} called out into the dark and asked what it wanted. "
                "For a long moment there was nothing, and then something answered in {their} own voice.",
                "The attic door stood open for the first time. Cold air poured down the steps, "
                "carrying the smell of candle smoke and wet earth.",
                "{name} locked every door and sat with {their} back against the wall. "
                "Above, slow footsteps crossed the ceiling, paused, and came back.",
                "The lights died all at once. In the darkness, {name} heard the kitchen chairs "
                "scrape across the floor, one after another.",
                "{name} whispered that {they} would leave in the morning. Upstairs, {sound} stopped, "
                "as if whatever lived there had heard, and did not agree.",
            ),
            (
                "a person sitting on a dark staircase at night holding a shaking flashlight",
                "a person calling into a pitch dark hallway at night, shadows gathering",
                "an open attic door at the top of dark stairs at night, cold mist pouring down",
                "a person sitting against a wall in a dark locked room at night, footsteps above",
                "a kitchen in total darkness at night, chairs scraping across the floor, ghostly",
                "a person whispering in a dark bedroom at night, the attic hatch above",
            ),
        ),
        Beat(
            1,
            1,
            (
                "When the police searched {house_short} a week later, they found no trace of {name}. "
                "They found a fifth chair at the kitchen table.",
                "In the last photograph from the attic, the figure at the window had finally turned around. "
                "It had {name}'s face, and it was smiling.",
                "The diary's final entry was written in {name}'s handwriting. "
                "It was dated tomorrow, and it said only: it has seen me sleeping.",
            ),
            ("a dark kitchen at night with five chairs around the table, moonlight across the floor",),
        ),
        Beat(
            1,
            1,
            (
                "Today, {house} is for rent again. The price is very reasonable, "
                "and the landlord still will not look anyone in the eye.",
                "New tenants arrive next week. If they wake at 3:17, "
                "they should keep their eyes shut and pretend to sleep.",
                "People say the lights in {house_short} still come on at 3:17. "
                "Nobody stays long enough to find out who switches them on.",
            ),
            ("{house_visual} at night under a full moon, one upstairs window glowing",),
        ),
    ),
)

MYSTERY = Plot(
    titles=("The Locked Room at {venue}", "{name} and the Missing {item_title}", "A Storm at {venue}"),
    descriptions=(
        "A short mystery: {item} vanishes from a locked room, and {name} has one stormy night to find it.",
        "A locked room, six guests and a storm: {name} investigates the theft of {item}.",
    ),
    cast=(
        (
            person("Inspector Marsh", "she"),
            person("Detective Park", "he"),
            person("Inspector Okafor", "she"),
            person("Detective Lindqvist", "he"),
        ),
        (
            {
                "item": "the Hartwell sapphire",
                "item_title": "Sapphire",
                "venue": "Hartwell Manor",
                "owner": "Lord Hartwell",
                "venue_visual": "a grand old manor on a cliff during a night thunderstorm",
            },
            {
                "item": "a priceless violin",
                "item_title": "Violin",
                "venue": "the Grand Meridian Hotel",
                "owner": "Mrs. Vale",
                "venue_visual": "an elegant old hotel at night, rain on tall windows",
            },
            {
                "item": "the museum's golden mask",
                "item_title": "Golden Mask",
                "venue": "the Aldwych Museum",
                "owner": "Director Finch",
                "venue_visual": "an old museum hall at night, moonlight on glass cases",
            },
        ),
    ),
    beats=(
        Beat(
            1,
            1,
            (
                "At midnight, during the worst storm in years, {item} vanished from a locked room in {venue}. "
                "{name} arrived within the hour.",
                "{name} got the call just after midnight: {item} was gone from a locked room, "
                "and the storm had cut the only road.",
                "Six guests, one storm, and a locked room in {venue}. When the lights came back on, {item} was gone.",
            ),
            ("{venue_visual}, a detective in a long coat arriving in the rain",),
        ),
        Beat(
            0,
            3,
            (
                "The building was all creaking floors and ticking clocks. Portraits watched from every wall, "
                "and rain hammered the tall windows like impatient fists.",
                "The six guests gathered in the library, each insisting they had been asleep. "
                "{name} noticed that not one of them was wearing pyjamas.",
                "The locked room had a single window, a heavy safe, and a fireplace still warm with embers. "
                "Nobody admitted to lighting a fire.",
                "Thunder rattled the chandeliers as {name} walked the halls. "
                "Every door creaked, and every creak seemed to be hiding something.",
            ),
            (
                "a dim library at night full of nervous guests, a storm outside the tall windows",
                "a locked study at night with a heavy safe and glowing embers in the fireplace",
            ),
        ),
        Beat(
            2,
            8,
            (
                "The window was latched from the inside, but a thin line of rainwater ran across the sill. "
                "Someone had opened it, and closed it again.",
                "The house dog had not barked all night. {name} found that more interesting "
                "than anything the guests had said.",
                "A grandfather clock in the hall had stopped at 11:52. "
                "Its glass door carried a single, careful, gloved fingerprint.",
                "The safe had not been forced. Whoever opened it had known the combination, "
                "and only three people in the building did.",
                "There were muddy footprints leading out into the garden, but none leading back in. "
                "The mud was still soft, and the prints were perfectly sharp.",
                "In the fireplace, {name} found the corner of a burned letter. "
                "Only three words had survived the flames: the insurance expires.",
                "A velvet jewellery box sat open on the desk. Someone had wiped it so clean "
                "that it practically shone under the lamp.",
                "The butler swore he had heard footsteps on the servants' stairs at midnight. "
                "Those stairs had been blocked by a wardrobe for a month.",
                "A single wet umbrella stood in the hall, though every guest claimed to have been inside all night. "
                "{name} measured it carefully.",
            ),
            (
                "a magnifying glass over a rain-streaked window latch, mysterious shadows at night",
                "a sleeping dog by a fireplace in a grand hall at night, mysterious mood",
                "a grandfather clock stopped at 11:52 in a dark hallway, a gloved fingerprint on the glass",
                "a heavy safe standing open in a dark study at night, no marks on the door",
                "muddy footprints leading across a dark garden path at night, lantern light",
                "a burned letter in a fireplace, glowing embers, a detective's gloved hand at night",
                "an open velvet jewellery box on a polished desk under a lamp at night",
                "a narrow servants' staircase blocked by a heavy wardrobe, candlelight at night",
                "a single wet umbrella in an old hall stand at night, rain outside",
            ),
        ),
        Beat(
            1,
            7,
            (
                "The nephew was charming, nervous, and deep in gambling debt. "
                "He had a motive to spare but, as it turned out, an even better alibi.",
                "The cook had worked there for thirty years and knew every secret in the building. "
                "She answered every question with another question.",
                "A quiet guest claimed to be a travelling art dealer. "
                "His business cards were printed so recently that the ink still smudged.",
                "The housekeeper held the only spare key. She had worn it on a chain around her neck all night, "
                "and two witnesses confirmed it.",
                "The chauffeur had been out in the storm, fixing the car. His boots were soaked but spotless; "
                "he had never been near the garden.",
                "{owner} paced the hall, demanding results. {name} noticed that the pacing always stopped "
                "near the fireplace, as if guarding it.",
                "A young reporter had slipped into the party uninvited. "
                "She had photographs of the whole evening, timestamped to the minute.",
                "The gardener had a ladder, muddy gloves and no alibi at all. "
                "He also had a broken ankle, still in its cast.",
            ),
            (
                "a nervous young man in a dinner jacket fiddling with playing cards, candlelit room at night",
                "an old cook in a vast dark kitchen at night, arms folded, a mysterious smile",
                "a quiet man in a grey suit handing over a business card, dim drawing room at night",
                "a stern housekeeper with a key on a chain around her neck, candlelight at night",
                "a chauffeur in soaked boots beside a vintage car on a stormy night",
                "a wealthy person pacing near a fireplace in a grand hall at night",
                "a young reporter with a vintage camera at a party at night, a flash going off",
                "a gardener with a cast on his ankle leaning on a ladder at night, lantern light",
            ),
        ),
        Beat(
            1,
            1,
            (
                "{name} gathered everyone in the library. The silent dog, the known combination, the burned letter: "
                "the thief was {owner}, chasing the insurance.",
                "The answer was in the fireplace all along. {owner} had hidden {item} up the chimney "
                "and burned the letter about the insurance.",
                "“Nobody broke in, and nobody broke out,” said {name}. "
                "“The only person who could open that safe in silence was {owner}.”",
            ),
            ("a detective pointing at a culprit in a grand library at night, guests gasping",),
        ),
        Beat(
            1,
            1,
            (
                "By dawn the storm had passed, and {item} was back where it belonged. "
                "{name} drove home, wondering what the next locked room would hold.",
                "The culprit was led away in the grey morning light. "
                "{name} lingered by the window, watching the rain stop.",
                "Some mysteries take years. This one took a single stormy night, a quiet dog, "
                "and a detective who listened to what nobody said.",
            ),
            ("{venue_visual} at dawn as the storm clears, a car driving away",),
        ),
    ),
)

BEDTIME = Plot(
    titles=("{name} and the Sleepy Moon", "Where Does the Moon Sleep?", "Goodnight, {name}"),
    descriptions=(
        "A gentle bedtime story about {hero} who could not fall asleep.",
        "Follow {name} on a quiet moonlit walk, and drift off to sleep together.",
    ),
    cast=(
        (
            person("Pip", "she", hero="a little fox named Pip", Hero="A little fox named Pip", kind="fox"),
            person("Juniper", "he", hero="a bear cub named Juniper", Hero="A bear cub named Juniper", kind="bear"),
            person("Hazel", "she", hero="a tiny owl named Hazel", Hero="A tiny owl named Hazel", kind="owl"),
            person("Moss", "he", hero="a small rabbit named Moss", Hero="A small rabbit named Moss", kind="rabbit"),
        ),
        (
            {"home": "a cosy den beneath the old oak", "home_visual": "a cosy den beneath a huge old oak tree"},
            {"home": "a warm burrow by the meadow", "home_visual": "a warm burrow at the edge of a meadow"},
            {"home": "a snug nest in the pine woods", "home_visual": "a snug nest high in a pine tree"},
        ),
    ),
    beats=(
        Beat(
            1,
            1,
            (
                "Once upon a time there was {hero}. One starry night, {name} simply could not fall asleep.",
                "{Hero} had a small problem. Tonight, {name}'s eyes would not stay closed, "
                "no matter how hard {they} tried.",
                "When the sky turned the colour of blueberries, the whole forest yawned. "
                "Everyone except {hero}, who was wide awake.",
            ),
            ("{home_visual} on a starry night, a little {kind} peeking out, wide awake",),
        ),
        Beat(
            0,
            3,
            (
                "So {name} tiptoed outside, wrapped in {their} softest blanket. "
                "The grass was cool and silver, and the whole world was whispering.",
                "{name} decided to ask the moon for advice, because the moon stays up every night "
                "and must know all about sleep.",
                "The path was lit by fireflies, blinking on and off like tiny lanterns. "
                "They seemed to say: this way, this way, little one.",
                "The night smelled of pine and sweet clover. "
                "Somewhere far off, an owl hooted twice, as if to say: come along.",
            ),
            (
                "a little {kind} wrapped in a blanket tiptoeing out into a moonlit meadow at night",
                "a little {kind} gazing up at a huge gentle moon at night",
                "a path lit by fireflies through a soft forest at night, a little {kind} following",
                "an owl on a pine branch under the moon, a little {kind} below at night",
            ),
            ordered=True,
        ),
        Beat(
            2,
            8,
            (
                (
                    "Beside the pond, {name} met an old tortoise, slow and smiling. "
                    "“I count my steps,” it said, “until I forget the numbers.”",
                    "an old smiling tortoise beside a moonlit pond at night, a little {kind} listening",
                ),
                (
                    "A family of rabbits was already snuggled in a heap. "
                    "“We hold paws and breathe slowly,” whispered the smallest one, “in, and out.”",
                    "a family of rabbits snuggled together under the stars at night",
                ),
                (
                    "High in a willow, a nightingale was humming softly. "
                    "“I sing the day a lullaby,” she said, “so that it can rest too.”",
                    "a nightingale singing in a willow tree under a big moon at night",
                ),
                (
                    "A hedgehog was rolling into a perfect little ball. "
                    "“I think of three nice things from today,” he murmured, “and then I dream of them.”",
                    "a hedgehog curled into a ball among moonlit leaves at night",
                ),
                (
                    "In the reeds, the frogs were finishing their evening song. "
                    "“We sing until the song gets quiet,” they croaked, “and the quiet carries us away.”",
                    "frogs singing in the reeds of a starry pond at night",
                ),
                (
                    "A sleepy deer lay curled beneath the ferns. "
                    "“I listen to the wind in the leaves,” she said, “and let it rock me like a cradle.”",
                    "a sleepy deer curled beneath ferns in a moonlit forest at night",
                ),
                (
                    "On a warm stone, a cat was purring. "
                    "“I stretch from my nose to my tail,” she yawned, “and let my worries roll away.”",
                    "a purring cat stretching on a warm stone under the night sky",
                ),
                (
                    "A field mouse was tucking seeds into bed, one by one. "
                    "“When everything is in its place,” he said, “my mind can rest.”",
                    "a field mouse tucking seeds into tiny beds in a cosy burrow at night",
                ),
                (
                    "A badger sat outside his sett, wrapped in moss. "
                    "“I remember a happy day,” he said, “and walk through it again until I drift off.”",
                    "a badger wrapped in moss outside his home under the stars at night",
                ),
            ),
        ),
        Beat(
            1,
            7,
            (
                "The meadow glittered with dew, as if the stars had dropped a few of their sparkles "
                "on their way to bed.",
                "A soft breeze carried the smell of clover and warm hay. {name} took a long, slow breath, "
                "and {their} paws felt heavy and happy.",
                "Clouds drifted by like sleepy sheep. {name} counted them, one, two, three, "
                "and lost count somewhere around seven.",
                "The river sang a low, gentle song over the pebbles. "
                "It had been singing the same song for a thousand years, and it never hurried.",
                "Somewhere far away, a bell rang once, soft as a feather. "
                "The whole valley seemed to sigh and settle down for the night.",
                "Fireflies gathered around {name} in a glowing circle, like a tiny night light made just for {them}.",
                "The hills rolled on and on under the moonlight, like a giant blanket "
                "that someone had pulled up over the whole world.",
                "The moon peeked out from behind a cloud and smiled down at {name}. "
                "“Everyone sleeps in their own way,” it seemed to say.",
                "The stars seemed to wink at {name}, one after another, "
                "as if they were passing a secret along the sky.",
            ),
            (
                "a glittering meadow of dew under a huge gentle moon at night, soft and dreamy",
                "a little {kind} breathing in the night air in a field of clover, moonlight",
                "sleepy clouds shaped like sheep drifting over moonlit hills at night",
                "a gentle river flowing over pebbles under the moon at night",
                "a distant village bell tower in a sleepy valley at night",
                "a little {kind} in a circle of glowing fireflies at night",
                "rolling moonlit hills like a giant blanket under the stars",
                "a smiling moon peeking from behind a cloud at night",
                "twinkling stars over a little {kind} looking up at the night sky",
            ),
        ),
        Beat(
            1,
            1,
            (
                "At last the moon leaned down and whispered, “The secret is to feel safe and loved.” "
                "So {name} walked home, feeling both.",
                "With a big, happy yawn, {name} turned back toward {home}. "
                "The path was shorter going home, as paths to home always are.",
                "{name} curled up in {home}, remembering every friend {they} had met. "
                "{Their} eyes grew heavy, and heavier, and heavier still.",
            ),
            ("a little {kind} walking home along a moonlit path toward {home_visual} at night",),
        ),
        Beat(
            1,
            1,
            (
                "And there, warm and snug, {name} fell fast asleep. "
                "Goodnight, little {kind}, goodnight, moon, and goodnight to you.",
                "The stars kept watch all night long. And {name} dreamed of silver meadows "
                "until morning came to say hello.",
                "So close your eyes, just like {name}. Breathe in, breathe out, "
                "and let the night carry you gently off to sleep.",
            ),
            ("a little {kind} fast asleep in {home_visual}, stars twinkling over a calm night",),
        ),
    ),
)

HISTORY = Plot(
    titles=("The Great Emu War", "The War Australia Lost to Emus", "Machine Guns Versus Emus: A True Story"),
    descriptions=(
        "The true story of 1932, when the Australian army went to war against emus, and lost.",
        "Two machine guns, ten thousand rounds and twenty thousand emus: the Great Emu War.",
    ),
    cast=(),
    beats=(
        Beat(
            1,
            1,
            (
                "In 1932, the Australian army went to war against a most unusual enemy. "
                "The enemy had feathers, long legs, and absolutely no fear.",
                "This is the true story of the Great Emu War. It may be the only war in history "
                "that the birds, arguably, won.",
                "In late 1932, soldiers with machine guns set out across Western Australia. "
                "Their mission was to defeat an army of about twenty thousand emus.",
            ),
            ("a vast golden wheat field in Western Australia in 1932, emus on the horizon, vintage photograph",),
        ),
        Beat(
            0,
            3,
            (
                "After the First World War, thousands of veterans were given land in Western Australia "
                "to farm wheat. It was hard, dry, lonely work.",
                "Then the Great Depression struck. Wheat prices collapsed, and the subsidies the farmers "
                "had been promised never arrived.",
                "The farms were remote, in districts like Campion, far from towns and help. "
                "Still, the farmers ploughed, and planted, and hoped for rain.",
                "Every year after breeding season, emus migrate toward the coast. In 1932, around twenty thousand "
                "of them found the wheat fields on the way.",
            ),
            (
                "a lonely 1930s farmhouse among dry wheat fields, veterans at work, sepia tone",
                "a 1930s farmer looking at a failed wheat harvest, sepia photograph",
                "a remote farm on a vast dry plain in Western Australia, 1930s",
                "a huge flock of emus crossing dry Australian farmland, dust in the golden light",
            ),
            ordered=True,
        ),
        Beat(
            1,
            5,
            (
                "The emus trampled crops, ate the wheat and pushed through fences, leaving gaps for rabbits. "
                "For the farmers, it was a disaster.",
                "The farmers, many of them former soldiers, knew exactly what to ask for. "
                "They sent a delegation to the government, asking for machine guns.",
                "The Minister of Defence, Sir George Pearce, approved sending soldiers. Some said he liked the idea "
                "of target practice, and of the good publicity.",
                "Major Meredith of the Royal Australian Artillery was put in command. "
                "His force was two soldiers, two Lewis guns and ten thousand rounds of ammunition.",
                "A newsreel cameraman came along as well. The government expected a quick, impressive victory "
                "that would look good in the cinemas.",
                "The birds would not be easy targets. An emu can sprint at around fifty kilometres an hour, "
                "and change direction in an instant.",
            ),
            (
                "emus trampling a wheat field and a broken wire fence, 1930s Australia",
                "1930s farmers in hats meeting government officials in an office, sepia photograph",
                "a 1930s politician signing papers at a desk, sepia photograph",
                "a 1930s army officer and two soldiers with vintage machine guns beside a truck, sepia photograph",
                "a 1930s newsreel cameraman with a hand-cranked camera in the outback",
                "an emu sprinting at full speed across red dust, motion blur",
            ),
            ordered=True,
        ),
        Beat(
            2,
            8,
            (
                "Rain delayed the start until early November. When the soldiers finally arrived, "
                "the emus had scattered across a huge area.",
                "At the first encounter, the gunners opened fire from too far away. "
                "The emus split into small groups and simply ran out of range.",
                "Meredith set an ambush near a dam, where around a thousand emus came to drink. "
                "The gun jammed after only a handful of shots.",
                "The soldiers mounted a gun on a truck to chase the birds. The ground was so rough that the gunner "
                "could not aim, and the truck could not keep up.",
                "The emus seemed to have tactics of their own. Each group had a tall lookout bird "
                "that kept watch while the others fed.",
                "An ornithologist later wrote that the gunners' dreams of firing into massed emus were soon dashed. "
                "The birds simply refused to bunch together.",
                "The newspapers had a wonderful time. Headlines mocked the campaign, and in parliament "
                "the whole affair became a running joke.",
                "After a week, the army withdrew. Then the farmers complained again, "
                "and the soldiers were sent back for a second try.",
                "Meredith was impressed. He said that with soldiers who could carry bullets like emus, "
                "he could face any army in the world.",
            ),
            (
                "rain over dusty Australian farmland in 1932, soldiers waiting beside a truck",
                "emus scattering across open scrubland out of range, 1932, vintage photograph",
                "a flock of emus drinking at a farm dam, a machine gun hidden in the grass, 1932",
                "a vintage truck bouncing over rough dry ground chasing emus, dust clouds",
                "a tall emu standing lookout over a flock feeding in golden grass",
                "emus running in scattered groups across a wide plain, dust in golden light",
                "1930s newspaper headlines about the emu war on a wooden desk",
                "soldiers packing up a truck in the Australian outback, emus watching from afar",
                "a 1930s army officer looking through binoculars at emus in the distance, sepia",
            ),
            ordered=True,
        ),
        Beat(
            1,
            3,
            (
                "By December, the soldiers had fired nearly ten thousand rounds. "
                "Meredith claimed about a thousand emus, far fewer than anyone had hoped.",
                "Around twenty thousand emus had started the war, and the vast majority "
                "were still running free when the soldiers went home.",
                "Later, the government tried a bounty system instead, paying for each bird. "
                "It worked far better than the machine guns ever had.",
                "In later years, the farmers asked for military help again. "
                "Each time, the government politely said no.",
            ),
            ("a flock of emus standing victorious on a hill at sunset, Western Australia",),
            ordered=True,
        ),
        Beat(
            1,
            1,
            (
                "And so the Great Emu War ended, with the emus still standing. "
                "Sometimes history's strangest chapters are also its funniest.",
                "Today, emus still roam Western Australia, completely unbothered. "
                "If emus wrote history books, this would be their proudest chapter.",
                "That is the story of the Great Emu War: two machine guns, ten thousand bullets, "
                "and a very fast enemy that never surrendered.",
            ),
            ("emus roaming peacefully across the Australian outback at golden hour",),
        ),
    ),
)

URBAN_LEGEND = Plot(
    titles=("The Hitchhiker on {road_title}", "Don't Stop on {road_title}", "The Girl by the Guardrail"),
    descriptions=(
        "An urban legend about {road} and the hitchhiker who never got home.",
        "A friend of a friend swears it happened on {road}: the legend of the vanishing hitchhiker.",
    ),
    cast=(
        (person("Daniel", "he"), person("Rosa", "she"), person("Mike", "he"), person("Leah", "she")),
        (
            {
                "road": "Route 9 through the pines",
                "road_short": "Route 9",
                "road_title": "Route 9",
                "road_visual": "a lonely two-lane highway through dark pine woods at night",
            },
            {
                "road": "the old coast road",
                "road_short": "the coast road",
                "road_title": "the Coast Road",
                "road_visual": "a winding coastal road above dark sea cliffs at night",
            },
            {
                "road": "the long bridge road",
                "road_short": "the bridge road",
                "road_title": "the Bridge Road",
                "road_visual": "a long empty bridge road over black water at night",
            },
        ),
        (
            {"girl": "a young woman in white", "token": "a grey wool sweater"},
            {"girl": "a girl in a pale blue dress", "token": "a knitted red scarf"},
        ),
    ),
    beats=(
        Beat(
            1,
            1,
            (
                "Every town has a road that people avoid after midnight. "
                "Around here, it is {road}, and everybody knows why.",
                "This legend has been told for fifty years, always about a friend of a friend. It begins on {road}.",
                "If you drive {road} on a rainy night, people say, never stop for anyone. "
                "This is the reason they give.",
            ),
            ("{road_visual}, rain, headlights in the distance",),
        ),
        Beat(
            0,
            5,
            (
                "The road winds through a stretch with no houses and no streetlights. "
                "Radios crackle there, and phones lose their signal for exactly two miles.",
                "Truckers say their headlights dim on one particular bend. "
                "Most of them simply drive faster, and do not look in the mirror.",
                "There is a sharp curve where flowers appear every spring, tied to the guardrail. "
                "Nobody ever sees who leaves them.",
                "Old-timers at the diner nod when strangers ask about the road. "
                "Then they change the subject, and refill the coffee without being asked.",
                "Decades ago, a car missed the curve on a stormy night in late October. "
                "Nobody talks about it much, but everybody knows the date.",
                "Some say that if you switch the radio off on the bend, you can hear someone humming in the back seat.",
            ),
            (
                "a dark road through the woods at night with no streetlights, a car radio glowing",
                "a truck's dim headlights on a lonely bend at night",
                "faded flowers tied to a guardrail on a sharp curve at night",
                "old-timers at a roadside diner counter at night, a coffee pot, neon sign in the rain",
                "a sharp curve on a stormy road at night, a broken guardrail, rain",
                "a car's empty back seat at night, the radio switched off, a faint eerie glow",
            ),
        ),
        Beat(
            1,
            1,
            (
                "One rainy October night, {name} was driving home on {road_short}. "
                "In the headlights stood {girl}, soaked, holding out a thumb.",
                "Near midnight, {name} saw {girl} by the guardrail, shivering in the rain. "
                "{They} pulled over without thinking twice.",
                "{name} had promised never to pick up hitchhikers. "
                "But {girl}, alone in the storm, looked so terribly cold.",
            ),
            ("{girl} standing by a guardrail in the rain at night, caught in car headlights",),
        ),
        Beat(
            1,
            7,
            (
                "She climbed into the back seat and gave an address across town, her voice soft and far away. "
                "Then she said nothing at all.",
                "The car grew colder with every mile, though the heater was on full. "
                "{name} could see {their} own breath.",
                "The radio filled with static, then an old song from long before {name} was born. "
                "It stopped the moment {they} glanced at the mirror.",
                "{name} offered her {token} from the passenger seat to keep warm. "
                "She took it with cold fingers, and whispered thank you.",
                "She smelled faintly of roses and rain. When {name} asked her name, she only said, "
                "“It has been so long since anyone stopped.”",
                "At the sharp curve, she leaned forward and said, “Please slow down here.” "
                "{name} did, and felt the back of {their} neck prickle.",
                "In the mirror, her face looked pale and calm, her eyes fixed on the road ahead, "
                "as if she knew every bend of it.",
                "The wipers beat steadily, and the rain drummed on the roof. "
                "{name} tried to make small talk, but she only watched the dark trees go by.",
                "She hummed a tune under her breath, very softly, an old song about coming home. "
                "It made {name} shiver.",
            ),
            (
                "a pale girl climbing into the back seat of a car on a rainy night",
                "a driver's breath misting in a cold car at night, frost on the windshield",
                "a car radio glowing with static on a dark road at night",
                "a driver handing {token} to a pale girl in the back seat at night",
                "a pale girl in the back seat holding a rose, rain on the windows at night",
                "a car slowing at a sharp curve at night, headlights on a guardrail",
                "a pale girl's face in a rear-view mirror at night, calm eyes, rain",
                "windshield wipers beating in heavy rain on a dark road through trees at night",
                "a pale girl humming in the back seat of a car at night, soft dashboard light",
            ),
            ordered=True,
        ),
        Beat(
            1,
            1,
            (
                "When {name} pulled up at the address and turned around, the back seat was empty. "
                "The doors had never opened, and the seat was wet.",
                "At the address, {name} turned to say goodnight. There was no one there, "
                "only a damp patch on the seat where she had been.",
                "{name} stopped at the address and looked back. The girl was gone, and so was {token}, "
                "though every door was still locked.",
            ),
            ("an empty, rain-soaked back seat of a car at night, streetlight through the window",),
        ),
        Beat(
            0,
            4,
            (
                "{name} knocked on the door of the house anyway. After a long time, "
                "an old woman opened it, holding a candle.",
                "The house was small and dark, with roses growing wild around the porch. "
                "A single lamp burned in the front window.",
                "The old woman listened without surprise, as if she had heard this story before. "
                "Perhaps she had, many times.",
                "On the mantel stood a photograph of a smiling girl. {name} recognised her at once, "
                "and felt the room tilt beneath {their} feet.",
                "The old woman said her daughter used to walk home along {road_short}. "
                "She said it the way people talk about the weather, or grief.",
            ),
            (
                "an old woman opening a door holding a candle at night",
                "a small dark house with wild roses around the porch at night, one lamp in the window",
                "an old woman listening calmly in a dim living room at night",
                "a photograph of a smiling girl on a mantel by candlelight at night",
                "an old woman by a window at night, looking toward a dark road",
            ),
            ordered=True,
        ),
        Beat(
            1,
            1,
            (
                "“My daughter died on that road,” the woman said softly, “twenty years ago tonight.” "
                "The next day, {name} found {token} folded on her grave.",
                "The girl had died in a crash at the sharp curve, decades before. "
                "On her headstone, in the rain, lay {token}.",
                "The woman's daughter never made it home that night, long ago. "
                "Every year, on the anniversary, a stranger knocks to say she tried.",
            ),
            ("{token} lying on an old gravestone in a misty cemetery at night",),
        ),
        Beat(
            1,
            1,
            (
                "People still tell this story at sleepovers and campfires. On rainy nights on {road_short}, "
                "most drivers do not stop. Some of them still do.",
                "So if you drive {road} some rainy night and see someone by the guardrail, slow down. "
                "Whether you stop is up to you.",
                "Is it true? Nobody can say for sure. But the flowers still appear at the curve every spring.",
            ),
            ("{road_visual}, a faint figure by the guardrail in the fog",),
        ),
    ),
)

MOTIVATIONAL = Plot(
    titles=("Begin Anyway", "The Day {name} Stopped Waiting", "Small Steps, Big Dreams"),
    descriptions=(
        "A motivational story about {name}, who wanted to {goal} and refused to quit.",
        "For anyone who has ever wanted to give up: the story of {name}'s dream to {goal}.",
    ),
    cast=(
        (person("Maya", "she"), person("Sam", "he"), person("Rosa", "she"), person("Leon", "he")),
        (
            {
                "goal": "run a marathon",
                "practice": "ran one slow mile before sunrise",
                "milestone": "the finish line",
                "scene": "a runner on an empty road at sunrise",
            },
            {
                "goal": "open a little bakery",
                "practice": "baked one new loaf before sunrise",
                "milestone": "opening day",
                "scene": "a small bakery kitchen at dawn, flour in the warm light",
            },
            {
                "goal": "learn the piano at forty",
                "practice": "played one slow scale before breakfast",
                "milestone": "the first recital",
                "scene": "a person practising an upright piano in morning light",
            },
        ),
    ),
    beats=(
        Beat(
            1,
            1,
            (
                "Here is a story for anyone who has ever wanted to quit. "
                "It is about {name}, who wanted, more than anything, to {goal}.",
                "Everyone has a dream they keep in a drawer. {name}'s was to {goal}, "
                "and for years that drawer stayed firmly shut.",
                "Nobody believed that {name} could {goal}. To be honest, on most days, "
                "{name} did not quite believe it either.",
            ),
            ("{scene}, a hopeful quiet mood",),
        ),
        Beat(
            0,
            2,
            (
                "{name} had no special talent and no shortcuts. Just a notebook, a stubborn heart, "
                "and a quiet voice that kept saying: begin anyway.",
                "For years, {name} waited for the perfect moment to start. It never came, "
                "because perfect moments almost never do.",
                "One ordinary Tuesday, {name} stopped waiting. {They} wrote the goal on a sticky note "
                "and stuck it to the bathroom mirror.",
            ),
            (
                "a sticky note on a bathroom mirror reading begin, soft morning light",
                "a worn notebook full of plans on a kitchen table at dawn",
            ),
        ),
        Beat(
            1,
            6,
            (
                "One attempt was a complete disaster. {name} went home, sat in the car for an hour, "
                "and very nearly gave up for good.",
                "Some weeks, progress was invisible. {name} worked just as hard as ever, "
                "and still felt like {they} was standing perfectly still.",
                "People laughed, some kindly and some not so kindly. "
                "One friend asked when {name} was finally going to be realistic about it.",
                "There was an injury, then a bill nobody expected, then a whole month of rain. "
                "Life did not pause just because {name} had a dream.",
                "{name} compared {their} beginning to other people's middle, and felt very small. "
                "It took a while to learn that comparison steals joy.",
                "One night, {name} wrote a long list of reasons to quit. It was very convincing. "
                "{They} folded it up, and went to bed anyway.",
                "A mentor told {name}, flatly, that {they} had started far too late. "
                "{name} said thank you, went home, and kept going, quietly and stubbornly.",
                "There were mornings when the alarm rang and every muscle said no. "
                "On those mornings {name} went anyway, slowly, but went.",
            ),
            (
                "a tired person sitting alone in a parked car on a grey rainy evening",
                "a lone figure walking through heavy rain on a dark street, determined",
            ),
        ),
        Beat(
            1,
            5,
            (
                "So {name} made the goal smaller. Not the whole dream, just today: "
                "{they} {practice}, and called that a win.",
                "{name} stopped counting the distance left and started counting the days kept. "
                "The streak grew, and so did the belief.",
                "{name} found two friends who believed in {them} on the days {they} could not. "
                "That turned out to be more than enough.",
                "Instead of waiting to feel motivated, {name} built a routine. "
                "Motivation is a visitor; habits are the ones who actually live in the house.",
                "Every evening, {name} wrote down one thing that was better than yesterday. "
                "Some days it was tiny. It always counted.",
                "{name} learned how to rest without quitting. A pause is not the end of the story, "
                "just a breath before the next line.",
            ),
            (
                "{scene}, the first light of a new day, small steady progress",
                "a calendar covered in hand-drawn checkmarks on a sunny wall",
            ),
        ),
        Beat(
            1,
            1,
            (
                "Then one morning, almost without noticing, {name} reached {milestone}. "
                "Not because it got easier, but because {they} got stronger.",
                "Years later, {name} stood at {milestone}, heart pounding, eyes full of tears. "
                "Every disaster along the way had been a step.",
                "And one day, the impossible simply happened. {name} reached {milestone}, "
                "and the voice that said quit had gone completely quiet.",
            ),
            ("a triumphant person at {milestone} in golden sunrise light, arms raised",),
        ),
        Beat(
            1,
            6,
            (
                "You do not need to see the whole staircase. You only need to take the next step, "
                "and then the one after that.",
                "Talent is a head start, not a finish line. The people who arrive "
                "are simply the ones who keep walking long after others stop.",
                "Your pace is not your worth. Slow progress is still progress, "
                "and every single inch of it belongs to you.",
                "Failure is not the opposite of success. It is part of the price "
                "of doing anything that is really worth doing.",
                "Start before you feel ready. Readiness is something you build by starting, "
                "not something you wait around for.",
                "On the hard days, do the smallest possible version of the work. "
                "Small is not nothing. Small is how everything begins.",
                "Nobody remembers how many times you fell. "
                "They remember that you got back up, dusted yourself off, and finished.",
                "Discipline is remembering what you want most, even when it is not what you want right now. "
                "That is the whole secret.",
            ),
            (
                "a long stone staircase climbing a mountain into the sunrise",
                "a single line of footprints across a wide golden beach at sunrise",
            ),
        ),
        Beat(
            1,
            1,
            (
                "So write your goal on the mirror. Tomorrow, do one small thing toward it. {name} did, and so can you.",
                "This is your sign. Open the drawer, take out the dream, and begin today, exactly as you are.",
                "{name}'s story is not special because it was easy. It is special because {they} refused to stop. "
                "Yours can be too.",
            ),
            ("a wide open road leading toward a bright sunrise, hopeful and warm",),
        ),
    ),
)

PHILOSOPHY = Plot(
    titles=("What Makes a Life Well Lived?", "Lessons from {teacher_title}", "Tea and Questions"),
    descriptions=(
        "A philosophical story about {name}, {teacher}, and the oldest question there is.",
        "{name} goes looking for the meaning of life, and finds a patient teacher instead.",
    ),
    cast=(
        (person("Ana", "she"), person("Jonah", "he"), person("Kit", "she"), person("Ravi", "he")),
        (
            {
                "teacher": "an old ferryman named Tomas",
                "sage": "Tomas",
                "teacher_title": "the Ferryman",
                "place": "the slow green river",
                "teacher_visual": "an old ferryman on a quiet river at dawn",
            },
            {
                "teacher": "a retired astronomer named Ilse",
                "sage": "Ilse",
                "teacher_title": "the Astronomer",
                "place": "the little observatory on the hill",
                "teacher_visual": "an old astronomer beside a small observatory on a hill under the stars",
            },
            {
                "teacher": "a gardener named Wen",
                "sage": "Wen",
                "teacher_title": "the Gardener",
                "place": "the walled garden behind the library",
                "teacher_visual": "an old gardener in a walled garden full of flowers, soft morning light",
            },
        ),
    ),
    beats=(
        Beat(
            1,
            1,
            (
                "What makes a life well lived? {name} asked everyone, and got a different answer every time. "
                "Then {they} met {teacher}.",
                "When {name} was young and restless, {they} went looking for the meaning of life. "
                "{They} found {teacher} instead.",
                "Some questions are too big to answer in a hurry. {name} carried one for years, "
                "until the day {they} sat down beside {teacher}.",
            ),
            ("{teacher_visual}, a young traveller approaching",),
        ),
        Beat(
            0,
            3,
            (
                "{sage} spent each day at {place}, unhurried, as if time were something "
                "to be tasted rather than spent.",
                "{name} expected grand speeches. Instead, {sage} offered tea, and silence, "
                "and the patience to let a question breathe.",
                "{sage} owned very little: a chair, a kettle, a few worn books. "
                "Yet {sage} seemed richer than anyone {name} had ever met.",
                "Every morning began the same way: a walk, a cup of tea, and one good question. "
                "Soon {name} joined the ritual.",
            ),
            (
                "two cups of tea steaming on a wooden bench at {place}, quiet morning",
                "a simple room with a kettle, a chair and a few worn books, warm window light",
            ),
        ),
        Beat(
            2,
            9,
            (
                "“Most of what troubles you is outside your control,” said {sage}. "
                "“The weather, other people, the past. Spend your strength on what is yours.”",
                "“Everything changes,” said {sage}. “You cannot step into the same river twice, "
                "because neither you nor the river stays the same.”",
                "{name} asked how to stop worrying about the future. {sage} smiled and said, "
                "“Give the present your full attention; worry cannot survive there for long.”",
                "“We suffer more in imagination than in reality,” said {sage}. "
                "It was an old idea, older than both of them, and still true.",
                "“You think happiness is a place you arrive,” said {sage}. "
                "“It is more like weather. Learn to enjoy the rain as well.”",
                "{sage} asked what {name} would do if no one could ever see it. "
                "“That,” said {sage} quietly, “is who you really are.”",
                "“The obstacle is the path,” said {sage}. "
                "“What stands in the way becomes the way, if you let it teach you.”",
                "“Compare yourself to who you were yesterday,” said {sage}, "
                "“not to who someone else is today. Theirs is a different road.”",
                "“Death is not the enemy,” {sage} said gently. “Forgetting to live is. "
                "Let the shortness of life make each day precious.”",
                "“Be kind whenever possible,” said {sage}, pouring more tea. "
                "“It is always possible, and it costs far less than you fear.”",
            ),
            (
                "{teacher_visual}, deep in conversation with a young student",
                "two figures talking quietly at {place} as the light changes",
                "a river flowing past smooth stones in soft light, calm and timeless",
            ),
        ),
        Beat(
            1,
            6,
            (
                "{sage} told of a ship whose planks were replaced one by one, until no original wood remained. "
                "Was it still the same ship?",
                "{sage} told of a farmer whose horse ran away. The neighbours said bad luck, "
                "and the farmer said maybe, because good and bad take years to tell apart.",
                "{sage} told of a man who searched the whole world for wisdom. "
                "He found it at last in his own garden, exactly where he had started.",
                "{sage} spoke of two monks crossing a river. One carried a woman across and set her down; "
                "the other carried her in his mind for miles.",
                "A teacup, said {sage}, is useful because it is empty. "
                "A mind full of certainty has no room left for anything new.",
                "{sage} pointed to an old tree. “It grows toward the light, it bends in the wind, "
                "and it never argues with the seasons.”",
                "{sage} told of a stonecutter who wished to be the sun, then a cloud, then the wind, then a mountain. "
                "At last he wished to be a stonecutter again.",
            ),
            (
                "an old wooden ship in a harbour at golden hour, planks weathered and new",
                "a farmer watching a horse run across open fields at sunset",
                "a traveller returning to a small home garden at golden hour",
                "two monks crossing a shallow river at dawn",
                "an empty teacup on a wooden table in soft morning light",
                "a lone old tree bending in the wind on a hill at sunset",
                "a stonecutter working beneath a great mountain in warm sunlight",
            ),
        ),
        Beat(
            1,
            1,
            (
                "Slowly, {name} understood. There was no single answer, "
                "only a way of asking: gently, honestly, and every day.",
                "{name} realised that the question had changed. It was no longer what life means, "
                "but what {they} would bring to it.",
                "On the walk home, {name} noticed everything: the light, the birds, a stranger's smile. "
                "Perhaps that was the whole lesson.",
            ),
            ("a young person walking home along a path at sunset, looking up at the sky",),
        ),
        Beat(
            1,
            1,
            (
                "So, what makes a life well lived? Perhaps it is not an answer at all, but the courage to keep asking.",
                "{sage} is long gone now, but the tea, the silence and the questions remain. "
                "{name} passes them on to anyone who sits down.",
                "Think about it tonight, quietly: what is in your control, what truly matters, "
                "and who you are when nobody is watching.",
            ),
            ("{place} at dusk, an empty bench and two teacups, peaceful",),
        ),
    ),
)

LOVE = Plot(
    titles=("{name} and {partner}", "Same Place, Same Time", "Count the Days With Me"),
    descriptions=(
        "A love story about {name} and {partner}, who met in {place}.",
        "Two strangers, {place}, and a love that crossed an ocean.",
    ),
    cast=(
        (
            {"name": "Ava", "partner": "Sam"},
            {"name": "Noah", "partner": "Lena"},
            {"name": "Mia", "partner": "Elliot"},
            {"name": "Jonah", "partner": "Iris"},
        ),
        (
            {
                "place": "a tiny bookshop on a rainy street",
                "place_short": "the bookshop",
                "place_visual": "a cozy bookshop on a rainy evening street, warm golden light in the windows",
            },
            {
                "place": "a crowded train station at sunset",
                "place_short": "the station",
                "place_visual": "a busy train station platform at sunset, warm golden light",
            },
            {
                "place": "a seaside café at the end of summer",
                "place_short": "the café",
                "place_visual": "a small seaside café by the ocean at sunset, warm lights",
            },
        ),
    ),
    beats=(
        Beat(
            1,
            1,
            (
                "{name} and {partner} met in {place}, both late, both flustered, "
                "and both laughing at exactly the same moment.",
                "It started with an umbrella. {name} offered it to {partner} outside {place_short}, "
                "and {partner} suggested they share it instead.",
                "Some love stories begin with fireworks. This one began in {place}, "
                "with a spilled coffee and an apology that lasted an hour.",
            ),
            ("{place_visual}, two strangers meeting, warm romantic mood",),
        ),
        Beat(
            0,
            4,
            (
                "They talked until the staff started stacking chairs. Then they talked outside on the pavement, "
                "until the streetlights flickered on.",
                "{partner} texted the next morning: same place, same time? "
                "{name} was there twenty minutes early, pretending not to be.",
                "They discovered they loved the same terrible movies and hated the same popular songs. "
                "It felt like finding a missing puzzle piece.",
                "On their first real date, {name} forgot every clever line rehearsed in the mirror. "
                "{partner} did not mind at all, and said so.",
                "They walked the long way home through the park, talking about everything and nothing, "
                "while the evening turned gold around them.",
            ),
            (
                "two people talking and laughing under a streetlight on a warm evening",
                "a couple on a first date in a small candlelit restaurant, warm glow",
            ),
        ),
        Beat(
            2,
            8,
            (
                "They learned the little things: how {partner} takes tea, how {name} hums while cooking, "
                "which side of the bed feels like home.",
                "On Sunday mornings they read in bed, arguing gently over the crossword, "
                "neither willing to admit to looking up an answer.",
                "{name} kept every ticket stub and every note from every small adventure they shared. "
                "The shoebox slowly became a treasure chest.",
                "When {partner} had a terrible day, {name} did not try to fix it. "
                "{name} just made soup, and listened, and stayed.",
                "They danced in the kitchen to a song on the radio, badly and happily, "
                "while the pasta boiled over behind them.",
                "On rainy evenings they walked back to {place_short}, just to remember how it all began. "
                "Soon the staff knew their order by heart.",
                "They had small fights about big things and big fights about small things. "
                "They always made up before sleeping, no matter how late.",
                "{partner} left little notes in {name}'s coat pockets: you are brave, you are enough, "
                "and please don't forget your keys.",
                "They watched the sunset from the same bench every Friday, "
                "sharing one scarf and a paper bag of warm chestnuts.",
            ),
            (
                "a couple cooking together in a cosy kitchen, warm evening light",
                "a couple reading the newspaper in bed on a sunny Sunday morning",
                "a shoebox full of ticket stubs and handwritten notes in warm lamplight",
                "a person bringing a bowl of soup to their partner on a sofa, warm lamp light",
                "a couple dancing in a small warm kitchen in golden evening light",
                "{place_visual}, a couple returning arm in arm",
                "a couple making up on a sofa late in the evening, soft warm lamp",
                "a handwritten love note tucked in a coat pocket, warm light",
                "two people sharing a scarf on a park bench at sunset",
            ),
        ),
        Beat(
            1,
            1,
            (
                "Then {partner} was offered a job on the other side of the world. "
                "It was a dream come true, and it was also a goodbye.",
                "Then a letter came: {partner} had won a place at a university overseas. "
                "They celebrated, and then they counted the months.",
                "Then {partner}'s family needed help, far away across the sea. "
                "{partner} had to go, and {name} understood.",
            ),
            ("a person waving goodbye at an airport at sunset, an airplane in the glowing sky",),
        ),
        Beat(
            0,
            6,
            (
                "They promised to call every day. The time zones turned that promise into "
                "good-night messages read over breakfast.",
                "Some nights the distance felt like an ocean. {name} would open the shoebox "
                "and read old notes until the ache eased.",
                "{name} learned that love is not only closeness. Sometimes love is letting someone go "
                "to chase the thing that makes them shine.",
                "They watched the same films at the same time, thousands of miles apart, "
                "laughing at the same scenes over crackly calls.",
                "There were doubts, of course. Distance whispers questions in the dark, "
                "and only trust knows how to answer them.",
                "Every letter from {partner} ended the same way: count the days with me. "
                "So {name} did, one by one, on a paper calendar.",
                "On the hardest nights they fell asleep on the phone, listening to each other breathe across the dark.",
            ),
            (
                "a phone glowing with a good-night message on a breakfast table, morning light",
                "a person reading old notes from a shoebox by a window in the evening",
                "a person watching an airplane cross a golden sunset sky",
                "two laptops showing the same film in two cities in the evening",
                "a person looking out of a rainy window in the evening, thoughtful",
                "a paper calendar with crossed-off days on a warm sunny wall",
                "a person asleep with a phone on the pillow, city lights outside",
            ),
        ),
        Beat(
            1,
            1,
            (
                "A year later, {name} waited at the arrivals gate with a slightly crushed bouquet. "
                "When {partner} walked through, the whole airport disappeared.",
                "One rainy evening, the door of {place_short} opened, and there stood {partner}, soaked and smiling. "
                "“Same place, same time?”",
                "{partner} came home on a warm evening in June. They held each other for a long time, "
                "saying nothing, because nothing needed saying.",
            ),
            ("two people embracing in warm golden sunset light, joyful reunion",),
        ),
        Beat(
            1,
            1,
            (
                "They still go back to {place_short} every year. Love is not one big moment, "
                "but thousands of small ones, chosen again and again.",
                "Years later, the shoebox is overflowing. And every night, before sleep, "
                "they still say it to each other: I choose you, again.",
                "Some love stories are fireworks. The best ones are candlelight: "
                "quiet, warm, and still burning long after the party ends.",
            ),
            ("{place_visual}, an older couple holding hands",),
        ),
    ),
)

FUN_FACTS = Plot(
    titles=("Weird but True", "Facts That Sound Fake but Aren't", "Your Daily Dose of Weird"),
    descriptions=(
        "Strange but true facts about animals, space and history, one per scene.",
        "A quick tour of facts that sound made up, and are not.",
    ),
    cast=(),
    beats=(
        Beat(
            1,
            1,
            (
                "Get ready to have your mind blown. Here are some facts so strange they sound made up, "
                "but every single one of them is true.",
                "Think you know how the world works? These facts will make you look at animals, space "
                "and history a little differently.",
                "Here is your daily dose of weird but true. By the end, you will have at least one fact "
                "to tell everyone at dinner.",
            ),
            ("a colourful collage of question marks, planets, animals and old maps, playful",),
        ),
        Beat(
            4,
            20,
            (
                (
                    "Octopuses have three hearts and blue blood. Two hearts pump blood through the gills, "
                    "and the third pumps it around the rest of the body.",
                    "an octopus glowing in deep blue ocean water",
                ),
                (
                    "Honey never really spoils. Archaeologists have found pots of honey in ancient Egyptian tombs "
                    "that were still perfectly edible.",
                    "an ancient clay honey jar in an Egyptian tomb lit by torchlight",
                ),
                (
                    "Bananas are berries, but strawberries are not. Botanically speaking, "
                    "the fruit aisle is full of surprises.",
                    "a bunch of bananas next to a bowl of strawberries on a sunny kitchen table",
                ),
                (
                    "A day on Venus is longer than its year. The planet takes longer to spin around once "
                    "than it takes to travel all the way around the sun.",
                    "the planet Venus glowing in space, wrapped in golden clouds",
                ),
                (
                    "Wombats produce cube-shaped poop. Scientists think the cubes stop it from rolling away, "
                    "because wombats use it to mark their territory.",
                    "a cute wombat in the Australian bush at golden hour",
                ),
                (
                    "Sharks are older than trees. Sharks have swum in the oceans for over four hundred million years, "
                    "longer than trees have existed on land.",
                    "a shark gliding through a prehistoric ocean, sunbeams through the water",
                ),
                (
                    "Oxford University is older than the Aztec Empire. Teaching there began around 1096, "
                    "centuries before the Aztec capital was founded.",
                    "old stone university towers of Oxford at sunrise",
                ),
                (
                    "Cleopatra lived closer in time to the Moon landing than to the building "
                    "of the Great Pyramid of Giza.",
                    "the Great Pyramid of Giza at sunset with the Moon rising above it",
                ),
                (
                    "A group of flamingos is called a flamboyance. Honestly, "
                    "no other word would have done them justice.",
                    "a flock of pink flamingos standing in a shimmering lagoon at sunset",
                ),
                (
                    "Sea otters hold hands while they sleep, so they do not drift apart on the water. "
                    "It might be the cutest safety rule in nature.",
                    "two sea otters holding hands while floating on calm sea water",
                ),
                (
                    "The Eiffel Tower grows in summer. Heat makes the iron expand, "
                    "so the tower can stand about fifteen centimetres taller on a hot day.",
                    "the Eiffel Tower shimmering in the summer heat under a bright blue sky",
                ),
                (
                    "There are more possible games of chess than there are atoms in the observable universe. "
                    "You will never run out of new games to play.",
                    "a chessboard floating among galaxies and stars in deep space",
                ),
                (
                    "Butterflies taste with their feet. Sensors on their legs tell them "
                    "whether a leaf is a good place to lay their eggs.",
                    "a colourful butterfly landing on a green leaf in a sunny garden",
                ),
                (
                    "Koala fingerprints are so similar to human fingerprints "
                    "that they could confuse a crime scene investigator.",
                    "a koala gripping a eucalyptus branch, close-up of its paw",
                ),
                (
                    "The shortest war in history lasted less than an hour. "
                    "In 1896, Zanzibar surrendered to Britain after about thirty-eight minutes.",
                    "a historic harbour in Zanzibar with old sailing ships, 1896",
                ),
                (
                    "A bolt of lightning is about five times hotter than the surface of the sun. "
                    "It heats the air so fast that the air explodes into thunder.",
                    "a dramatic lightning bolt striking across a stormy night sky",
                ),
                (
                    "Scotland's national animal is the unicorn. It has been a Scottish symbol for centuries, "
                    "and it is usually shown wearing a golden chain.",
                    "a majestic white unicorn in the misty Scottish highlands",
                ),
                (
                    "Astronauts can grow a few centimetres taller in space. "
                    "Without gravity pressing down, their spines gently stretch out.",
                    "an astronaut floating inside a space station with Earth in the window",
                ),
                (
                    "Peanuts are not actually nuts. They are legumes, "
                    "which makes them closer relatives of peas and beans.",
                    "peanuts still in their shells spilling out of a sack on a wooden table",
                ),
                (
                    "An ostrich's eye is bigger than its brain. "
                    "Even so, it is one of the fastest runners on two legs in the world.",
                    "an ostrich sprinting across the African savanna at sunrise",
                ),
                (
                    "The dot over a lowercase i or j has its own name. "
                    "It is called a tittle, and now you will never forget it.",
                    "a giant typographic letter i on a colourful paper background",
                ),
                (
                    "Nintendo was founded in 1889, long before video games existed. "
                    "It started out as a company making playing cards.",
                    "antique Japanese playing cards on a wooden table in a nineteenth century shop",
                ),
                (
                    "The Moon is slowly drifting away from Earth, about four centimetres every year. "
                    "That is roughly as fast as your fingernails grow.",
                    "the full Moon rising over the ocean at night, silver reflections",
                ),
                (
                    "Sloths can hold their breath for up to forty minutes, longer than dolphins. "
                    "They do it by slowing their heart right down.",
                    "a sloth swimming slowly through a green jungle river",
                ),
                (
                    "Hummingbirds are the only birds that can truly fly backwards. "
                    "Their wings can beat more than fifty times every second.",
                    "a hummingbird hovering beside a bright tropical flower",
                ),
            ),
        ),
        Beat(
            1,
            1,
            (
                "Which fact surprised you the most? Save this for the next time a conversation needs rescuing.",
                "The world is much weirder than it looks. Stay curious, keep asking questions, "
                "and keep collecting facts like these.",
                "And that is your dose of weird but true. Share your favourite with someone "
                "who absolutely will not believe it.",
            ),
            ("a person looking amazed at a starry sky full of question marks, playful and colourful",),
        ),
    ),
)

LIFE_PRO_TIPS = Plot(
    titles=("Small Habits, Big Difference", "Life Tips Nobody Taught You", "Make Life a Little Easier"),
    descriptions=(
        "Simple life pro tips, one per scene, that take seconds to learn and pay off for years.",
        "Small, practical habits that make everyday life noticeably easier.",
    ),
    cast=(),
    beats=(
        Beat(
            1,
            1,
            (
                "Here are some small life hacks that make a surprisingly big difference. "
                "No apps, no money, just better habits.",
                "Want to make everyday life a little easier? These simple tips take seconds to learn "
                "and keep paying off for years.",
                "Here is some advice nobody teaches you at school, "
                "but everybody wishes they had heard sooner. Let's go.",
            ),
            ("a tidy sunlit desk with a notebook, coffee and a plant, fresh morning mood",),
        ),
        Beat(
            4,
            20,
            (
                (
                    "If a task takes less than two minutes, do it right now. "
                    "Tiny jobs pile up into big stress when you keep postponing them.",
                    "a person quickly washing a single cup at a sunny kitchen sink",
                ),
                (
                    "When you meet someone new, use their name once in the conversation. "
                    "You will remember it, and they will feel noticed.",
                    "two people shaking hands and smiling in a bright café",
                ),
                (
                    "Take a photo of where you parked. Your future self, "
                    "wandering around a giant car park, will thank you.",
                    "a phone taking a photo of a parking level sign in a big car park",
                ),
                (
                    "Before buying something you do not need, wait twenty-four hours. "
                    "If you still want it tomorrow, at least it was not an impulse.",
                    "an online shopping cart on a laptop screen next to an hourglass",
                ),
                (
                    "Write tomorrow's to-do list tonight. Your mind rests better when it is not holding everything, "
                    "and mornings start faster.",
                    "a handwritten to-do list on a bedside table under a warm lamp at evening",
                ),
                (
                    "Lay a wooden spoon across a pot of boiling pasta. "
                    "It helps stop the foam from boiling over onto the stove.",
                    "a wooden spoon resting across a steaming pot on a kitchen stove",
                ),
                (
                    "Write the email first, and add the recipient last. "
                    "You will never again send a half-finished message by accident.",
                    "a laptop showing an email draft with an empty recipient field",
                ),
                (
                    "Follow the twenty-twenty-twenty rule for screens. Every twenty minutes, "
                    "look at something twenty feet away for twenty seconds.",
                    "a person looking out of a bright window away from a computer screen",
                ),
                (
                    "Charge your phone outside the bedroom. You will fall asleep faster, "
                    "and stop starting each day with other people's problems.",
                    "a phone charging on a hallway shelf at night, a calm bedroom beyond",
                ),
                (
                    "Keep a done list next to your to-do list. Seeing everything you actually finished "
                    "is a surprisingly strong motivator.",
                    "a notebook with a long list of ticked-off tasks, warm light",
                ),
                (
                    "Stuck on a problem? Explain it out loud, even to a rubber duck. "
                    "Saying it slowly often reveals the answer.",
                    "a yellow rubber duck sitting on a desk beside a laptop",
                ),
                (
                    "Freeze fresh herbs in olive oil in an ice cube tray. "
                    "Drop a cube into the pan whenever you cook, and nothing goes to waste.",
                    "an ice cube tray filled with olive oil and green herbs",
                ),
                (
                    "Put things back the moment you finish with them. "
                    "A tidy home is not a weekend chore, it is a tiny habit repeated all day.",
                    "a neat sunny living room with everything in its place",
                ),
                (
                    "Do your hardest task when your energy is highest. "
                    "For most people, that is the first two hours of the morning.",
                    "a person focused at a desk in early morning sunlight with a cup of coffee",
                ),
                (
                    "When you apologise, leave out the word but. "
                    "Everything that follows a but quietly cancels the apology.",
                    "two friends talking sincerely on a park bench in soft light",
                ),
                (
                    "Lay out your clothes the night before. One less decision in the morning "
                    "means more energy for the decisions that matter.",
                    "neatly folded clothes laid out on a chair beside a bed in the evening",
                ),
                (
                    "Keep a glass of water by your bed and drink it as soon as you wake up. "
                    "It may be the easiest healthy habit there is.",
                    "a glass of water on a bedside table in soft morning light",
                ),
                (
                    "When you move house, pack one box with everything you need for the first night. "
                    "Label it, in big letters, open first.",
                    "a cardboard moving box labelled open first in an empty new apartment",
                ),
                (
                    "To learn something deeply, teach it to someone else. "
                    "The gaps in your understanding show up immediately.",
                    "a person explaining something on a whiteboard to a curious friend",
                ),
                (
                    "Clip a binder clip to the edge of your desk to hold charging cables. "
                    "No more crawling under furniture to find them.",
                    "binder clips holding charging cables on the edge of a wooden desk",
                ),
                (
                    "Cannot decide between two options? Flip a coin. "
                    "While it is in the air, you will often realise which side you are hoping for.",
                    "a coin flipping in the air in slow motion, sunlit background",
                ),
                (
                    "Set important bills to pay automatically, a few days after payday. "
                    "Late fees disappear, and so does the worry.",
                    "a calm person checking a banking app on a phone at a sunny table",
                ),
            ),
        ),
        Beat(
            1,
            1,
            (
                "Pick one of these tips and try it this week. Small changes, repeated every day, "
                "quietly turn into a better life.",
                "Save this for later, and share it with the friend who always loses their car in the car park.",
                "Life gets easier one small habit at a time. Which one will you start with tomorrow morning?",
            ),
            ("a sunrise over a calm city skyline, a fresh start, optimistic mood",),
        ),
    ),
)

LONG_JOKE = Plot(
    titles=("Got Any {Fruit}?", "The {Animal} and the {Keeper}", "The Most Persistent {Animal} in the World"),
    descriptions=(
        "A long-form joke about a {animal}, a very patient {keeper}, and some {fruit}.",
        "A shaggy-{animal} story: it takes its time, and the punchline is worth the wait.",
    ),
    cast=(
        (
            {"animal": "duck", "Animal": "Duck"},
            {"animal": "goose", "Animal": "Goose"},
            {"animal": "penguin", "Animal": "Penguin"},
        ),
        (
            {"fruit": "grapes", "Fruit": "Grapes", "FRUIT": "GRAPES"},
            {"fruit": "blueberries", "Fruit": "Blueberries", "FRUIT": "BLUEBERRIES"},
            {"fruit": "cherries", "Fruit": "Cherries", "FRUIT": "CHERRIES"},
        ),
        (
            {
                "bar": "a quiet little bar on Main Street",
                "keeper": "bartender",
                "Keeper": "Bartender",
                "counter": "bar",
                "bar_visual": "a cosy old bar with wooden stools and warm lamps",
            },
            {
                "bar": "a tiny seaside café",
                "keeper": "café owner",
                "Keeper": "Café Owner",
                "counter": "counter",
                "bar_visual": "a tiny seaside café with a wooden counter by the sea",
            },
            {
                "bar": "a roadside diner",
                "keeper": "cook",
                "Keeper": "Cook",
                "counter": "counter",
                "bar_visual": "a retro roadside diner with chrome stools and a long counter",
            },
        ),
    ),
    beats=(
        Beat(
            1,
            1,
            (
                "So a {animal} walks into {bar}, hops onto a stool, and looks the {keeper} right in the eye. "
                "“Excuse me,” it says, “got any {fruit}?”",
                "This one takes a while, so stay with me. "
                "A {animal} waddles into {bar} and asks the {keeper}, “Got any {fruit}?”",
                "A {animal} pushes open the door of {bar}, waddles up to the {counter}, and asks, “Got any {fruit}?”",
            ),
            ("a {animal} sitting on a stool in {bar_visual}, a surprised {keeper} behind the {counter}",),
        ),
        Beat(
            1,
            1,
            (
                "The {keeper} blinks. “No, we don't sell {fruit} here.” "
                "The {animal} nods politely and waddles out without another word.",
                "“Sorry,” says the {keeper}, “we don't have any {fruit}.” "
                "The {animal} thanks him and waddles calmly out the door.",
                "The {keeper} laughs and says there are no {fruit} here, pal. "
                "The {animal} shrugs its little wings and waddles away down the street.",
            ),
            ("a {animal} waddling out of {bar_visual}, the {keeper} shaking his head",),
        ),
        Beat(
            1,
            16,
            (
                "The next day, the same {animal} waddles back in and hops onto the same stool. "
                "“Got any {fruit}?” The {keeper} sighs and says, “Still no.”",
                "Another day, same {animal}, same stool, same polite little voice asking, “Got any {fruit}?” "
                "The {keeper} doesn't even look up. “Nope.”",
                "The {animal} comes back the following morning, before the coffee is even ready. "
                "“Got any {fruit}?” “We have never had {fruit},” says the {keeper}.",
                "Later that week, the {keeper} hangs a sign by the door that says NO {FRUIT}. "
                "The {animal} reads it carefully, waddles in, and asks anyway.",
                "The {animal} returns, this time wearing a tiny hat, and asks, “Got any {fruit}?” "
                "The {keeper} stares at the hat for a long moment and says no.",
                "The {keeper} tells the regulars about the {animal}, and nobody believes him. "
                "Then the door swings open, right on time: “Got any {fruit}?”",
                "One rainy evening, the {animal} shakes off the water, hops onto the stool and asks, "
                "“Got any {fruit}?” “No,” says the {keeper}, through gritted teeth.",
                "The {keeper} tries hiding behind the {counter}. The {animal} waits patiently, "
                "then peeks over the edge and whispers, “Got any {fruit}?”",
                "The {animal} brings a friend, and they sit down side by side. "
                "“Got any {fruit}?” they ask together, while the {keeper} rubs his temples.",
                "The {keeper} tries to be clever and says they only sell drinks. "
                "The {animal} thinks about it, then asks, “Got any {fruit} juice?”",
                "The {animal} comes in at closing time, just as the lights go off. "
                "A small voice in the dark asks, “Got any {fruit}?”",
                "The {keeper} starts dreaming about the {animal}, and in the dream it asks for {fruit}. "
                "He wakes up at three in the morning shouting, “No!”",
                "Now the whole town knows, and people come just to watch. "
                "The {animal} arrives, bows to the crowd, and asks, “Got any {fruit}?”",
                "The {keeper}'s mother visits and asks why he looks so tired. "
                "Right on cue, the door swings open: “Got any {fruit}?”",
                "The {animal} slides a handwritten note across the {counter} that says, got any {fruit}? "
                "The {keeper} writes back, in capital letters: NO.",
                "On a public holiday the place is closed, but the {animal} taps on the window anyway. "
                "Through the glass, it slowly mouths the words: got any {fruit}?",
                "The {keeper} buys a guard dog to keep the {animal} out. "
                "By the end of the week, the dog is asking for {fruit} too.",
                "The {keeper} hires a lawyer, who writes a stern letter to the {animal}. "
                "The {animal} replies by post, politely asking whether there are any {fruit}.",
            ),
            (
                "a {animal} on a stool asking a question in {bar_visual}, a tired {keeper}, comedic",
                "a frustrated {keeper} rubbing his temples while a polite {animal} waits at the {counter}",
                "a {animal} peeking over the edge of a {counter}, cartoonish and funny",
            ),
        ),
        Beat(
            1,
            1,
            (
                "Finally, the {keeper} snaps. “If you ask me for {fruit} one more time,” he shouts, "
                "“I will nail your little webbed feet to the floor!”",
                "The {keeper} leans over the {counter}, red in the face. "
                "“Ask for {fruit} again, and I am nailing your feet to this {counter}.”",
                "At last the {keeper} explodes and swears he will nail its feet to the {counter} if it asks again. "
                "The {animal} nods and leaves.",
            ),
            ("an exasperated {keeper} shouting and pointing at a calm little {animal}",),
        ),
        Beat(
            1,
            1,
            (
                "The next day, the {animal} waddles in and asks, “Got any nails?” The {keeper}, confused, says no. "
                "“Good,” says the {animal}, “then got any {fruit}?”",
                "The next morning, the door swings open and the {animal} asks, “Got any nails?” "
                "“No,” says the {keeper}. “Great,” says the {animal}, “got any {fruit}?”",
                "Next day the {animal} is back, asking, “Got any nails?” The {keeper} frowns and says no. "
                "The {animal} smiles sweetly: “Then, got any {fruit}?”",
            ),
            ("a smug little {animal} grinning at a speechless {keeper} in {bar_visual}",),
        ),
        Beat(
            1,
            1,
            (
                "And that, my friends, is what they call persistence. "
                "Or possibly just a {animal} who really, really likes {fruit}.",
                "The {keeper} never did stock {fruit}. But he did buy a very big box of nails, just in case.",
                "The moral of the story: always look for the loophole. The {animal} certainly did.",
            ),
            ("a {animal} waddling happily down a sunny street, {bar_visual} behind it",),
        ),
    ),
)

CUSTOM_TOPIC = Plot(
    titles=("{subject_title}: A Curious Story", "{subject_title}: Looking Closer", "{subject_title}, Up Close"),
    descriptions=(
        "A short story about {subject}, seen through the eyes of someone curious.",
        "{name} sets out to understand {subject}, and finds more than expected.",
    ),
    cast=(
        (person("Lena", "she"), person("Omar", "he"), person("Priya", "she"), person("Finn", "he")),
        (
            {"where": "a small coastal town", "where_visual": "a small coastal town by the sea"},
            {"where": "a busy city apartment", "where_visual": "a busy city apartment with a view of the skyline"},
            {"where": "a quiet village in the hills", "where_visual": "a quiet village in green hills"},
        ),
    ),
    beats=(
        Beat(
            1,
            1,
            (
                "This is a story about {subject}. It begins, as good stories do, with someone curious.",
                "Most people never give {subject} a second thought. "
                "{name}, who lived in {where}, could not stop thinking about it.",
                "A year ago, {name} knew almost nothing about {subject}. Then one small moment changed everything.",
            ),
            ("{subject}, a curious person discovering it in {where_visual}, warm morning light",),
        ),
        Beat(
            0,
            3,
            (
                "It started with a question {name} could not answer. The question led to a library, "
                "the library to a notebook, and the notebook filled up fast.",
                "{name} began by asking around. Everyone in {where} seemed to have an opinion, "
                "and no two of them agreed.",
                "At first, {name} only meant to spend a single afternoon on it. "
                "The afternoon became a week, and the week became a habit.",
                "{name} bought a notebook and wrote the topic across the cover in careful capital letters. "
                "It felt like the start of an adventure.",
            ),
            (
                "a notebook about {subject} on a wooden table in {where_visual}",
                "a person asking neighbours questions in {where_visual}, friendly and bright",
            ),
        ),
        Beat(
            2,
            8,
            (
                "The more {name} learned about {subject}, the more surprising it became. "
                "Every answer opened two new questions.",
                "An old neighbour smiled when {name} mentioned it. "
                "She had a story from fifty years ago, and she told it twice, with different endings.",
                "{name} learned that the same thing looks very different depending on who tells the story. "
                "Every point of view added a new colour.",
                "Late at night, {name} would read until the words blurred. "
                "The world was full of people quietly fascinated by {subject}.",
                "There were small details that nobody talks about, the kind you only notice when you slow down. "
                "{name} collected them like seashells.",
                "{name} tried explaining it all to a friend, and realised halfway through how much "
                "was still left to learn. That was the best part.",
                "Some things {name} read were simply wrong, repeated until they sounded true. "
                "Learning to tell the difference became part of the adventure.",
                "{name} drew diagrams, made lists, and filled every margin with arrows. "
                "Slowly, a picture of {subject} began to take shape.",
                "Every expert {name} found had started exactly the same way: "
                "with one question, and a stubborn refusal to stop asking.",
            ),
            (
                "{subject}, detailed close-up, soft natural light",
                "a person reading late at night surrounded by books about {subject}, warm lamp",
                "{subject} seen from an unexpected angle, bright and vivid",
            ),
        ),
        Beat(
            1,
            7,
            (
                "Then came the surprise. What {name} thought {they} understood about {subject} "
                "was only half the story.",
                "One conversation turned everything upside down. A stranger explained it all in a single sentence "
                "that {name} never forgot.",
                "{name} realised that {subject} was not only about facts. "
                "It was about people, and the stories they tell each other.",
                "The hardest part was not learning more, but unlearning what {name} had always assumed. "
                "It was humbling, and strangely freeing.",
                "Somewhere along the way, {subject} stopped being a topic and became a lens. "
                "{name} began to notice it everywhere.",
                "A small experiment failed completely, and taught {name} more than any book had. "
                "Mistakes, it turns out, are excellent teachers.",
                "{name} found a question that nobody seemed able to answer. "
                "For the first time, that felt exciting rather than frustrating.",
                "A visit to a place {name} had only read about changed everything. "
                "Seeing it up close, with {their} own eyes, was nothing like the books.",
            ),
            (
                "{subject}, dramatic light breaking through clouds, a moment of revelation",
                "a person looking at {subject} with wonder, golden hour light",
            ),
        ),
        Beat(
            1,
            1,
            (
                "Looking back, {name} saw that {subject} had changed how {they} saw everything.",
                "By the end of the year, the notebook was full. {name} was not an expert, "
                "but {they} had become something better: still curious.",
                "What {name} learned about {subject} was wonderful. "
                "What {name} learned about curiosity was even better.",
            ),
            ("a full notebook about {subject} resting on a windowsill at sunset",),
        ),
        Beat(
            1,
            1,
            (
                "So that is the story of {subject}, or one small corner of it. "
                "The rest is out there, waiting for someone curious.",
                "Next time you come across {subject}, slow down and look closer. You might find your own story there.",
                "And that is where our story about {subject} ends. "
                "But good questions, as {name} learned, never really end.",
                "Stay curious. The best stories start with a single question, and this one is still being written.",
            ),
            ("{subject} in warm evening light, peaceful and inviting",),
        ),
    ),
)

PROMPT_TALE = Plot(
    titles=("{subject_title}", "{subject_title}: A Story", "{subject_title}: A Short Tale"),
    descriptions=(
        "A short story about {subject}.",
        "An original tale built around {subject}.",
    ),
    cast=(),
    beats=(
        Beat(
            1,
            1,
            (
                "Our story begins with {subject}. Nobody involved had any idea where it would lead.",
                "Picture this: {subject}. It sounds simple enough, "
                "but it is the kind of beginning that changes everything.",
                "This is the story of {subject}. It starts on an ordinary day, the kind that gives no warning at all.",
            ),
            ("{subject}, wide establishing shot, soft morning light",),
        ),
        Beat(
            0,
            3,
            (
                "The world around it was ordinary in every way. Mornings came, coffee was poured, "
                "and nobody expected anything unusual to happen.",
                "The place had its own rhythm: familiar streets, familiar faces, "
                "and the same small routines repeated day after day after day.",
                "The weather was mild, the sky was wide, and there was no sign of trouble anywhere. "
                "That, of course, is always when it arrives.",
                "There were quiet hopes hidden under the routine, the kind nobody ever says out loud. "
                "They were about to be tested.",
            ),
            (
                "a peaceful ordinary morning in the world of {subject}, calm and detailed",
                "{subject}, everyday life, gentle daylight",
            ),
        ),
        Beat(
            2,
            9,
            (
                "Then came the first surprise, small enough to ignore. It was followed by another, "
                "and then another, until it could not be ignored at all.",
                "Things became complicated quickly. Plans went sideways, help arrived from unexpected places, "
                "and nothing went the way anyone expected.",
                "There was a moment of doubt, when turning back seemed like the sensible choice. "
                "Nobody turned back, though everybody thought about it.",
                "A stranger appeared with a missing piece of the puzzle. "
                "Whether they were a friend or a problem was not yet clear.",
                "One attempt failed, loudly and completely, in front of everyone. "
                "But the failure left a clue, and the clue pointed somewhere new.",
                "Night fell, and with it came the hardest questions of all. What matters most? "
                "And what are you willing to risk for it?",
                "There were small victories along the way too: a laugh shared in a tense moment, "
                "a door that opened at exactly the right time.",
                "Every step forward revealed something unexpected, as if the whole adventure "
                "had been waiting patiently, for years, to be discovered.",
                "The stakes grew higher with every hour. What began as something simple "
                "had become something that truly mattered to everyone involved.",
                "An old friend offered advice that seemed useless at the time. "
                "Later, it turned out to be the most important thing anyone said.",
            ),
            (
                "{subject}, a moment of tension, dramatic clouds",
                "{subject}, an unexpected discovery, vivid light and shadow",
                "{subject} at night, lanterns and long shadows, suspense",
            ),
            ordered=True,
        ),
        Beat(
            1,
            6,
            (
                "And then, everything turned. One decision, made in a single heartbeat, "
                "changed the direction of the whole story.",
                "The truth came out at last, and it was not what anyone expected. "
                "It was better, stranger and far more interesting.",
                "In the quietest moment, the answer finally appeared. "
                "It had been there from the very beginning, hidden in plain sight.",
                "Courage did not feel like courage at the time. It felt like taking one more step "
                "while every instinct said stop.",
                "Help came from the most unlikely place imaginable. "
                "Sometimes the smallest kindness turns the biggest tide.",
                "A long-held fear was finally faced, and it turned out to be smaller than its shadow. "
                "That changed everything.",
                "For a moment, it seemed that all was lost. Then someone laughed out loud, "
                "and the spell of despair was broken.",
                "Someone finally said the thing everyone had been thinking. "
                "The silence that followed was the beginning of the end of the trouble.",
            ),
            (
                "{subject}, a turning point, sunlight breaking through storm clouds",
                "{subject}, a brave moment, golden backlight",
            ),
        ),
        Beat(
            1,
            1,
            (
                "When the dust settled, the story of {subject} had become something more than anyone imagined.",
                "In the end, the story of {subject} found its way home, changed but whole.",
                "By the end, everything about {subject} looked different, because everyone involved had changed.",
            ),
            ("{subject}, peaceful resolution, warm sunset light",),
        ),
        Beat(
            1,
            1,
            (
                "And that is the story of {subject}. "
                "It began on an ordinary day, and ordinary days, it turns out, are full of possibility.",
                "Next time you think of {subject}, remember this story. Ordinary things often hide extraordinary ones.",
                "That is how it happened, or at least how we tell it. "
                "Every story about {subject} deserves an ending this good.",
            ),
            ("{subject}, final wide shot at dusk, hopeful mood",),
        ),
    ),
)

PLOTS: dict[str, Plot] = {
    "scary": SCARY,
    "mystery": MYSTERY,
    "bedtime": BEDTIME,
    "interesting history": HISTORY,
    "urban legends": URBAN_LEGEND,
    "motivational": MOTIVATIONAL,
    "fun facts": FUN_FACTS,
    "long form jokes": LONG_JOKE,
    "life pro tips": LIFE_PRO_TIPS,
    "philosophy": PHILOSOPHY,
    "love": LOVE,
}
"""The plot for every topic except "custom topic", which tells `CUSTOM_TOPIC` about the user's text."""
