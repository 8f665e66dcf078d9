"""Material for image-to-video jobs: a reference image brought to life, with or without words from the user.

The writer cannot see the picture, so the narration speaks of a captured moment in words that
fit any picture, and each scene's image prompt is a camera move over the reference image.
"""

from services.story.plot import Beat, Plot

CAMERA_MOVES = (
    "slow push in",
    "gentle pan from left to right",
    "slow pull back revealing more of the scene",
    "soft parallax drift",
    "gentle upward tilt",
    "slow half orbit around the subject",
)

REFERENCE_TALE = Plot(
    titles=("A Moment, Brought to Life", "Inside the Picture", "The Moment Before It Moves"),
    descriptions=(
        "A still picture, animated scene by scene and told as the moment it captured.",
        "Your picture brought to life: the story of one captured moment.",
    ),
    cast=(),
    beats=(
        Beat(
            1,
            1,
            (
                "Every picture holds a moment that was never meant to stand still. Look closely, and this one "
                "begins to breathe.",
                "Some moments are too alive to stay frozen. This is one of them, and it is about to move.",
                "A single frame, caught in an instant. But nothing in it was ever truly still.",
            ),
            ("the scene of the reference image",),
        ),
        Beat(
            4,
            7,
            (
                "The light shifts a little, the way it does when a cloud passes far overhead. "
                "Everything in the frame feels it.",
                "Notice the small details first: the edges, the textures, the places where shadow meets colour.",
                "Somewhere just outside the frame, the day goes on. Inside it, this moment takes its time.",
                "The air seems to move, slowly, carrying the quiet sounds that every picture keeps to itself.",
                "Whoever stood here saw exactly this, and chose to keep it. Now we get to stand here too.",
                "Look again at the centre of the scene. It is where the eye always returns, and for good reason.",
                "Time stretches here. A second becomes a breath, and a breath becomes a small story of its own.",
                "Every part of the picture has its own rhythm, and together they make this moment feel alive.",
            ),
            ("the scene of the reference image, details in motion",),
        ),
        Beat(
            1,
            1,
            (
                "And then the moment settles again, as moments do. But now we know what it held.",
                "The picture grows still once more, keeping its secret until the next time someone looks.",
                "That is the thing about a captured moment: it waits patiently for us to bring it back to life.",
            ),
            ("the scene of the reference image, settling into stillness",),
        ),
    ),
)
