"""Demo photos (called by demo.load_demo): a few simple pictures drawn with Pillow as the demo loads,
so nothing is downloaded and no picture is kept in the repository, and kept through domain/photos.py
as any upload is: re-encoded, resized, a thumbnail made, no metadata.

Each goes on the first issue of the demo pavilion whose title names what it shows, as its author (or
the councillor who recorded it) would have sent it when raising the issue.
"""
import io

from PIL import Image, ImageDraw

from domain import photos
from models import Issue, Venue

SIZE = (960, 720)
SKY, NIGHT, GRASS, EARTH, WALL = (150, 190, 225), (25, 30, 60), (90, 150, 70), (120, 100, 80), (205, 200, 185)


def _building(draw, left, top, right, bottom, lit):
    draw.rectangle((left, top, right, bottom), fill=(170, 160, 150) if not lit else (70, 70, 90))
    for x in range(left + 20, right - 40, 60):
        for y in range(top + 20, bottom - 40, 70):
            on = lit and (x // 60 + y // 70) % 3 == 0
            draw.rectangle((x, y, x + 35, y + 40), fill=(250, 220, 120) if on else (110, 130, 160))


def street_light():
    """A residential road at night: lit windows, and a street lamp that stays dark."""
    image = Image.new("RGB", SIZE, NIGHT)
    draw = ImageDraw.Draw(image)
    draw.ellipse((780, 60, 850, 130), fill=(235, 235, 210))
    _building(draw, 40, 180, 380, 560, lit=True)
    _building(draw, 600, 240, 920, 560, lit=True)
    draw.polygon([(0, 720), (960, 720), (620, 560), (340, 560)], fill=(50, 50, 55))
    draw.rectangle((470, 250, 484, 600), fill=(80, 80, 85))  # the pole
    draw.rectangle((430, 240, 530, 262), fill=(80, 80, 85))
    draw.ellipse((440, 255, 480, 285), fill=(60, 60, 65), outline=(120, 120, 120), width=3)  # the dead lamp
    return image


def rubble():
    """A green belt between two buildings with broken bricks and sacks dumped on it."""
    image = Image.new("RGB", SIZE, SKY)
    draw = ImageDraw.Draw(image)
    _building(draw, 30, 120, 330, 470, lit=False)
    _building(draw, 640, 150, 930, 470, lit=False)
    draw.rectangle((0, 470, 960, 720), fill=GRASS)
    for x in range(20, 960, 90):
        draw.ellipse((x, 430, x + 80, 500), fill=(60, 120, 55))  # the hedge
    draw.polygon([(260, 700), (480, 520), (700, 700)], fill=(150, 130, 115))  # the heap
    for n, (x, y) in enumerate(((320, 640), (400, 600), (470, 650), (540, 590), (600, 660), (430, 560))):
        draw.rectangle((x, y, x + 60, y + 28), fill=(170, 75, 55) if n % 2 else (185, 95, 70), outline=(90, 50, 40))
    draw.rectangle((660, 600, 760, 690), fill=(225, 225, 215), outline=(150, 150, 140), width=3)  # a sack
    return image


def puddle():
    """The gate of a compound, and a broken road in front of it holding a wide puddle."""
    image = Image.new("RGB", SIZE, SKY)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 200, 960, 420), fill=WALL)
    draw.rectangle((360, 180, 600, 420), fill=(150, 40, 40))  # the gate
    draw.rectangle((390, 240, 570, 420), fill=(60, 60, 60))
    draw.rectangle((0, 420, 960, 720), fill=(120, 120, 115))
    draw.ellipse((180, 500, 760, 660), fill=EARTH)  # the broken surface
    draw.ellipse((230, 530, 700, 640), fill=(110, 150, 185))  # the water
    draw.ellipse((300, 555, 460, 585), fill=(170, 200, 225))
    return image


# What each picture shows (its alt text), the words of the issue title it goes with, and its drawing.
PICTURES = [
    ("路灯", "晚上小区道路边不亮的路灯，两旁楼里亮着灯", street_light),
    ("建筑垃圾", "楼间绿化带里堆着碎砖和装垃圾的编织袋", rubble),
    ("积水", "小区门口路面坑洼，积了一大滩水", puddle),
]


def draw():
    """The demo's pictures, drawn and re-encoded as an upload is: [(title words, Prepared)]."""
    made = []
    for words, alt, picture in PICTURES:
        sent = io.BytesIO()
        picture().save(sent, "PNG")
        sent.seek(0)
        made.append((words, photos.prepare(sent, alt)))
    return made


def attach(files, pictures, pavilion_slug):
    """Record the pictures `files` kept (a photos.Kept of `pictures`, in the same order), each on
    the demo pavilion's first issue whose title holds its words, inside the demo's transaction."""
    venue = Venue.get(Venue.slug == pavilion_slug)
    issues = list(Issue.select().where((Issue.venue == venue) & (Issue.status != "merged") & ~Issue.hidden)
                  .order_by(Issue.id))
    for index, (words, _prepared) in enumerate(pictures):
        issue = next((i for i in issues if words in i.title), None)
        if issue is None:
            raise LookupError(f"no issue at {pavilion_slug} whose title holds {words!r} for its demo photo")
        files.row(index, issue, issue.author_id or issue.recorded_by_id, at=issue.created_at)
